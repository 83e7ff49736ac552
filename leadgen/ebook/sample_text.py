"""The words of the demo ebook: an introduction, the five foundations as chapters, a closing page.

Plain ASCII on purpose: the PDF uses the built-in Helvetica, which has no curly quotes.
"""

TITLE = "The 5 Foundations of Autoimmune Diseases"
SUBTITLE = "What drives autoimmune disease, and what you can do about each part of it"

INTRODUCTION = (
    "Autoimmune disease happens when the immune system, built to protect you, starts to attack your own "
    "tissue: the thyroid in Hashimoto's, the joints in rheumatoid arthritis, the gut in celiac disease. "
    "More than eighty conditions share this pattern, and together they affect about one person in ten.",
    "Medicine has become good at naming these conditions and at calming their symptoms. Less time goes "
    "to the question our patients ask first: why is this happening to me, and what can I change? "
    "In our clinic we look at five foundations that, together, decide how loud the immune system gets.",
    "This short book takes them one at a time. None of it replaces your own physician's advice; it is "
    "meant to help you ask better questions and notice what matters in your own life.",
)

# (title, paragraphs, what to try this week)
CHAPTERS = (
    (
        "Food",
        (
            "Every meal sends signals to the immune system. Highly processed food, added sugar and, for many "
            "people, gluten and dairy keep inflammation switched on. Whole foods, vegetables of many colours, "
            "good fats and enough protein help switch it off.",
            "There is no single diet that suits everyone with autoimmune disease. That is why we start with a "
            "simple, time-limited elimination plan: take out the most common triggers for four weeks, then "
            "bring them back one by one while you keep a short diary of how you feel.",
        ),
        (
            "Write down what you eat and how you feel for seven days.",
            "Add one more portion of vegetables to two meals a day.",
            "Notice which foods you would find hardest to give up: they are worth testing first.",
        ),
    ),
    (
        "Gut health",
        (
            "About seventy per cent of the immune system lives around the gut. Its lining is one cell thick, "
            "and when it becomes leaky, fragments of food and bacteria reach the blood, where the immune "
            "system learns to attack them, and sometimes tissue that looks like them.",
            "Bloating, reflux, irregular stools and food sensitivities are common signs that the gut needs "
            "attention. Antibiotics, some medicines, stress and a low-fibre diet all weaken the lining; "
            "fibre, fermented foods and time help it heal.",
        ),
        (
            "Eat something fermented (yoghurt, kefir, sauerkraut) on three days this week.",
            "Ask your physician whether any medicine you take affects the gut.",
            "Note any digestive symptom, even one you have stopped noticing.",
        ),
    ),
    (
        "Toxins",
        (
            "The immune system also reacts to what we breathe, touch and drink. Mould in a damp home, heavy "
            "metals, tobacco smoke and some everyday chemicals add to the load it has to carry.",
            "You cannot avoid everything, and you do not need to. Small, steady changes to the air, water "
            "and products at home lower that load, and testing can show whether a specific exposure matters "
            "for you.",
        ),
        (
            "Look for damp or mould at home, especially in the bathroom and behind furniture.",
            "Air your bedroom every morning.",
            "Swap one scented product for an unscented one.",
        ),
    ),
    (
        "Infections",
        (
            "Some infections can set autoimmunity going: the immune system fights a virus or bacterium, then "
            "keeps attacking tissue that resembles it. Epstein-Barr virus, for example, is linked with several "
            "autoimmune conditions.",
            "Old infections can also stay quietly active. When symptoms began after an illness, or flare with "
            "every cold, testing for the infections that matter can change the plan.",
        ),
        (
            "Write down when your symptoms started and what happened in the months before.",
            "Keep a note of flares and of any infection around them.",
            "Bring both notes to your next appointment.",
        ),
    ),
    (
        "Stress",
        (
            "Stress is not only in the mind. Long periods of stress change cortisol and other hormones that "
            "keep the immune system in check, and many patients remember a hard year just before their "
            "diagnosis.",
            "Sleep, rest and gentle movement are treatment, not luxuries. So is help: talking with someone, "
            "and sharing the load at home and at work where you can.",
        ),
        (
            "Go to bed at the same time on five nights this week.",
            "Take a ten-minute walk outside every day.",
            "Name one thing you could ask someone else to do for you.",
        ),
    ),
)

CLOSING = (
    "The five foundations work together: a calmer gut makes food easier, better sleep makes stress lighter, "
    "fewer exposures give the immune system room to settle. Most people feel a difference when they work on "
    "two or three at once, with a plan made for them.",
    "That plan starts with a conversation. Our physicians spend time on your story, your tests and your "
    "goals, and then decide with you where to begin.",
)
