// LLM
