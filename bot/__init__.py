"""Cyber-insurance quote bot: a conversation engine with terminal and Slack front ends."""
