"""Judge stage: what each target reaches at boot, and the one table that turns that into findings and verdicts."""
