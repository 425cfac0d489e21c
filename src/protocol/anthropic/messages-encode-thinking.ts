import type { IReasoning, IRequest, JsonObject } from '../translate/internal-model.ts'
import { refuseField } from '../translate/translation-refusal.ts'

/**
 * The internal reasoning settings → Anthropic `thinking` and `output_config.effort`, with Anthropic's constraints
 * checked rather than adjusted (docs.claude.com › extended thinking): a budget of at least 1024 and below
 * `max_tokens`; no temperature other than 1, no `top_k`, `top_p` only 0.95–1, tool choice only auto or none.
 *
 * An effort with no budget (OpenAI's `reasoning_effort`) gets a budget from EFFORT_BUDGET, at most half of
 * `max_tokens` so the answer keeps room; the table is the gateway's one effort ↔ budget mapping for Anthropic.
 */
export const EFFORT_BUDGET: Readonly<Record<NonNullable<IReasoning['effort']>, number>> = {
  none: 0,
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
}

const MIN_BUDGET = 1024

/** Anthropic's effort names: it has no `minimal` (nearest `low`). */
function anthropicEffort(effort: NonNullable<IReasoning['effort']>): string {
  return effort === 'minimal' ? 'low' : effort
}

function checkThinkingCompatible(req: IRequest): void {
  const why = 'cannot be combined with thinking on Anthropic'
  if (req.temperature !== undefined && req.temperature !== 1) refuseField(req.paths, 'temperature', why)
  if (req.topK !== undefined) refuseField(req.paths, 'topK', why)
  if (req.topP !== undefined && req.topP < 0.95) refuseField(req.paths, 'topP', `below 0.95 ${why}`)
  const choice = req.toolChoice?.type
  if (choice === 'required' || choice === 'tool') {
    refuseField(
      req.paths,
      'toolChoice',
      'only auto or none tool choice can be combined with thinking on Anthropic',
    )
  }
}

/**
 * Sets `thinking` / `output_config.effort` on `body`. `thinkingAllowed` is false when an open tool loop from
 * another provider cannot carry thinking (policy: that one request goes without thinking, see
 * isUnsignedToolLoop).
 */
export function encodeThinking(
  req: IRequest,
  maxTokens: number,
  body: JsonObject,
  thinkingAllowed: boolean,
): void {
  const r = req.reasoning
  if (!r) return
  const setEffort = (): void => {
    if (r.effort === undefined || r.effort === 'none') return
    body.output_config = {
      ...((body.output_config as JsonObject | undefined) ?? {}),
      effort: anthropicEffort(r.effort),
    }
  }
  if (!r.enabled || r.effort === 'none') {
    // Effort alone (thinking off) only tunes how much the model writes; otherwise thinking is switched off.
    if (r.effort !== undefined && r.effort !== 'none') setEffort()
    else body.thinking = { type: 'disabled' }
    return
  }
  if (!thinkingAllowed) return
  checkThinkingCompatible(req)
  if (r.adaptive) {
    body.thinking = { type: 'adaptive' }
    setEffort()
    return
  }
  let budget: number
  if (r.budgetTokens !== undefined && r.budgetTokens >= 0) {
    budget = r.budgetTokens
    setEffort()
  } else {
    budget = Math.min(EFFORT_BUDGET[r.effort ?? 'medium'], Math.floor(maxTokens / 2))
  }
  if (!Number.isInteger(budget) || budget < MIN_BUDGET) {
    refuseField(req.paths, 'reasoning', `Anthropic needs a thinking budget of at least ${MIN_BUDGET} tokens`)
  }
  if (budget >= maxTokens) {
    refuseField(
      req.paths,
      'reasoning',
      `the thinking budget must be below max_tokens (${maxTokens}) on Anthropic`,
    )
  }
  body.thinking = { type: 'enabled', budget_tokens: budget }
}
