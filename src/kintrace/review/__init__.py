"""④ Review: the match worker, the caseworkers' work queue, match decisions (retracted, never
overwritten), enquirer verification and the case lifecycle."""
