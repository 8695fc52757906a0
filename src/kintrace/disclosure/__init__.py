"""⑤ Disclosure: what may be told to whom (pure policy + reasons), answers to the four questions,
supervisor approvals, family notices by e-mail, and family messages."""
