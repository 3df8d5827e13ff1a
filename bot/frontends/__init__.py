"""The front ends: each translates its transport to the command layer (bot.commands) and renders cards."""
