"""The one code path shared by the TUI and the CLI: loading, summarising and changing an account.

Modules here use only the client, the model, config and journal — never Textual — so ``iox tree`` prints
exactly what the explorer shows, and both are tested once against the in-process simulator.
"""
