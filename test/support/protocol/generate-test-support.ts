import type { IRequest, JsonObject } from '../../../src/protocol/translate/internal-model.ts'
import { TranslationRefusal } from '../../../src/protocol/translate/translation-refusal.ts'

/** Fixtures and helpers shared by the Gemini codec's tests (wire JSON per ai.google.dev/api/generate-content). */

export const ctx = { upstreamModel: 'gemini-2.5-flash', defaultMaxOutputTokens: 65536 }

/** What Gemini CLI sends on its second turn (wire JSON per ai.google.dev/api/generate-content). */
export const cliRequest: JsonObject = {
  contents: [
    { role: 'user', parts: [{ text: 'List the files in src.' }] },
    {
      role: 'model',
      parts: [
        { text: 'I will list them.', thought: true },
        { functionCall: { name: 'list_directory', args: { path: 'src' } }, thoughtSignature: 'c2lnLW9uZQ==' },
        { functionCall: { name: 'list_directory', args: { path: 'test' } } },
      ],
    },
    {
      role: 'user',
      parts: [
        { functionResponse: { id: 'cli-1', name: 'list_directory', response: { output: 'a.ts\nb.ts' } } },
        { functionResponse: { id: 'cli-2', name: 'list_directory', response: { files: ['x.test.ts'] } } },
      ],
    },
  ],
  systemInstruction: { role: 'user', parts: [{ text: 'You are a CLI agent.' }, { text: 'Be brief.' }] },
  tools: [
    {
      functionDeclarations: [
        {
          name: 'list_directory',
          description: 'Lists a directory',
          parametersJsonSchema: {
            type: 'object',
            properties: { path: { type: 'string' } },
            required: ['path'],
            additionalProperties: false,
          },
        },
      ],
    },
  ],
  toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
  generationConfig: {
    temperature: 0.7,
    topP: 0.95,
    topK: 64,
    maxOutputTokens: 8192,
    stopSequences: ['END'],
    seed: 7,
    thinkingConfig: { thinkingBudget: 8192, includeThoughts: true },
  },
}

export function refusal(fn: () => unknown): TranslationRefusal {
  try {
    fn()
  } catch (e) {
    if (e instanceof TranslationRefusal) return e
    throw e
  }
  throw new Error('expected a TranslationRefusal')
}

export function baseRequest(over: Partial<IRequest>): IRequest {
  return { model: 'm', system: [], messages: [], stream: false, paths: {}, ...over }
}
