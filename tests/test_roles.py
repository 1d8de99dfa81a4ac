"""Who holds a post: a question about a post is answered by the unit that names its holder, never by one that
only names the post, the holder of another post, or the holder of the post in another body."""
from __future__ import annotations

import pytest

from assistant.roles import Post, Posts
from assistant.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def posts():
    return Posts(load_vocabulary())


@pytest.mark.parametrize("text, name, title, modifier", [
    ("Beslutande Anders Wik (S), ordförande", "Anders Wik", "ordforande", ""),  # a protocol's member list
    ("Maria Sjöberg (M), vice ordförande", "Maria Sjöberg", "ordforande", "vice"),
    ("Övriga närvarande Elin Strand, förvaltningschef Regionservice", "Elin Strand", "forvaltningschef", ""),
    ("Jan Ek, nämndsekreterare", "Jan Ek", "namndsekreterare", ""),  # a two-letter surname, a common word
    ("Ordförande Helene Andersson (C) yrkar på följande tillägg:", "Helene Andersson", "ordforande", ""),
    ("Regionkontoret:\n• Krister Björkegren\n• Regiondirektör", "Krister Björkegren", "regiondirektor", ""),
    ("Martin Hansson\nTf. Ekonomidirektör", "Martin Hansson", "ekonomidirektor", "tf"),  # a signature
])
def test_a_name_printed_beside_its_post_is_its_holder(posts, text, name, title, modifier):
    # the name as matched may carry a form's label before it (`Beslutande Anders Wik`)
    assert any(n.endswith(name) and p == Post(title, modifier) for n, p in posts.holders(text))


@pytest.mark.parametrize("text", [
    "Regionstyrelsen föreslås besluta att utse Jonas Ström (KD) att jämte ordföranden justera protokollet.",
    "Interpellation från Karl Ström (V) till regionstyrelsens ordförande om väntetider",
    "Ordförande .....................................",
    # a signature list: the title under one name is not the next name's
    "Krister Björkegren\n• Regiondirektör\n• Martin Hansson",
])
def test_a_post_named_near_a_name_is_not_held_by_it(posts, text):
    assert ("Martin Hansson", Post("regiondirektor")) not in posts.holders(text)
    assert not any(p.title == "ordforande" for _, p in posts.holders(text))


def test_a_vice_chair_is_not_the_chair_and_the_acting_holder_answers_unless_asked_for_the_own():
    chair, vice, acting = Post("ordforande"), Post("ordforande", "vice"), Post("ekonomidirektor", "tf")
    assert not chair.held_by(vice) and vice.held_by(vice) and not vice.held_by(chair)
    assert Post("ekonomidirektor").held_by(acting)
    assert not Post("ekonomidirektor", "ordinarie").held_by(acting)
    assert Post("sekreterare").held_by(Post("namndsekreterare"))  # a kind of the post holds it
    assert not Post("namndsekreterare").held_by(Post("sekreterare"))


@pytest.mark.parametrize("question, title, modifier, bodies", [
    ("Vem är ordförande i servicenämnden?", "ordforande", "", 1),
    ("Vem är servicenämndens vice ordförande?", "ordforande", "vice", 1),
    ("vem ar ordforande i fullmaktige", "ordforande", "", 1),  # a body named bare is still the one asked about
    ("Vem är förvaltningschef?", "forvaltningschef", "", 0),  # a particular post needs no body
    ("Vem är ordinarie ekonomidirektör?", "ekonomidirektor", "ordinarie", 0),
])
def test_a_question_asks_for_the_holder_of_a_particular_post(bot, question, title, modifier, bodies):
    q = bot.reader.read(question)
    assert q.post is not None and (q.post.title, q.post.modifier, len(q.post.bodies)) == (title, modifier, bodies)
    assert "person" in q.asks


@pytest.mark.parametrize("question, bodies", [
    ("Vem leder regionstyrelsen?", 1),  # leading a body is chairing it
    ("Vem ledde sammanträdet?", 0),  # and so is leading a meeting
    ("Vem var ordförande på mötet?", 0),  # a meeting makes a bare post particular
])
def test_leading_a_meeting_or_a_body_asks_for_its_chair(bot, question, bodies):
    q = bot.reader.read(question)
    assert q.post is not None and q.post.title == "ordforande" and len(q.post.bodies) == bodies


@pytest.mark.parametrize("question", [
    "Vem leder Regionservice?",  # an administration is led by its chef, a post the documents name (`leds av …`)
    "Vem är chef?",  # any chef: the post itself answers (`leds av en förvaltningschef`)
    "Vem föreslås justera protokollet jämte ordföranden i regionstyrelsen?",  # the chair is not what is asked
    "Vad beslutade servicenämnden om budgeten?",
])
def test_other_questions_ask_for_no_holder(bot, question):
    assert bot.reader.read(question).post is None


def test_the_holder_of_the_post_in_the_body_asked_about_answers(formats_bot):
    chair = formats_bot.ask("Vem är ordförande i servicenämnden?")
    assert not chair.abstained and "Anders Wik" in chair.answer and "Maria Sjöberg" not in chair.answer
    vice = formats_bot.ask("Vem är vice ordförande i servicenämnden?")
    assert not vice.abstained and "Maria Sjöberg" in vice.answer


@pytest.mark.parametrize("question", [
    "Vem är ordförande i regionstyrelsen?",  # named only as `jämte ordföranden`
    "Vem är ordförande i regionfullmäktige?",  # only `regionstyrelsens ordförande` is named in its agenda
])
def test_a_post_named_without_its_holder_is_refused(formats_bot, question):
    assert formats_bot.ask(question).abstained


def test_the_chair_of_another_body_does_not_answer(bot):
    # the sample protocol names the chair of regionstyrelsens arbetsutskott, not of servicenämnden
    assert bot.ask("Vem är ordförande i servicenämnden?").abstained
