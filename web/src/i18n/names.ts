/** Proper names (the product, providers, languages, client tools): the same in every language, so written once. */
export const names = {
  'app.name': 'Any Gateway',
  'provider.openai': 'OpenAI',
  'provider.anthropic': 'Anthropic',
  'provider.gemini': 'Gemini',
  'snippet.curl': 'curl',
  'snippet.python': 'Python',
  'snippet.node': 'Node.js',
  'guide.client.openai': 'OpenAI SDK',
  'guide.client.anthropic': 'Anthropic SDK',
  'guide.client.genai': 'Google GenAI SDK',
  'guide.client.claude-code': 'Claude Code',
  'guide.client.codex': 'Codex CLI',
  'guide.client.gemini-cli': 'Gemini CLI',
  'guide.client.vercel': 'Vercel AI SDK',
  'guide.client.langchain': 'LangChain',
  'guide.client.curl': 'curl',
}
