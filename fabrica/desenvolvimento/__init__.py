"""Development (seed §4, §7 ``processar_desenvolver``/``processar_corrigir``): one worker per
vertente turns an approved spec into artefacts and tests, run in the sandbox, corrected at most
three times, packaged as a ``Release``."""
