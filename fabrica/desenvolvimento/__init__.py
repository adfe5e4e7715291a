"""Development (docs/desenvolvimento.md): one worker per
vertente turns an approved spec into artefacts and tests, run in the sandbox, corrected at most
three times, packaged as a ``Release``."""
