"""E-mail notices (docs/avisos.md): a decision that starts waiting is announced to each person
who may decide it, once; a daily digest lists what has waited more than a day; each person turns
either off on their profile page."""
