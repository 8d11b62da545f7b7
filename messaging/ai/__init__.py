"""AI work on inbox chats: insights, summaries, reply drafts and tickets."""
