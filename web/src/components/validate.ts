import type { z } from 'zod'
import { t, type TKey } from '../i18n/index.ts'

type Issue = z.core.$ZodIssue

/** The part of an Arco FormInstance that validation needs (method syntax keeps typed forms assignable). */
export interface FormLike {
  getFieldValue(field: string): unknown
  setFields(fields: Record<string, { value?: unknown; error?: { message: string } }>): void
}

/** A zod issue as a translated, human message. */
export function issueMessage(issue: Issue): string {
  const i = issue as Issue & {
    minimum?: number | bigint
    maximum?: number | bigint
    origin?: string
    expected?: string
    input?: unknown
  }
  switch (i.code) {
    case 'too_small':
      if (i.origin === 'string')
        return Number(i.minimum) <= 1 ? t('v.required') : t('v.minLength', { n: Number(i.minimum) })
      if (i.origin === 'array') return t('v.required')
      return t('v.min', { n: Number(i.minimum) })
    case 'too_big':
      if (i.origin === 'string') return t('v.maxLength', { n: Number(i.maximum) })
      if (i.origin === 'array') return t('v.maxItems', { n: Number(i.maximum) })
      return t('v.max', { n: Number(i.maximum) })
    case 'invalid_type':
      if (i.input === undefined || i.input === null || i.input === '') return t('v.required')
      if (i.expected === 'int') return t('v.integer')
      if (i.expected === 'number') return t('v.number')
      return t('v.invalid')
    case 'invalid_value':
      return t('v.choose')
    case 'invalid_format':
      return i.message?.includes('letters, digits') ? t('v.username') : t('v.format')
    case 'unrecognized_keys':
      return t('v.unknownField')
    case 'custom': {
      const m = i.message ?? ''
      if (m.includes('URL')) return t('v.url')
      if (m.includes('ISO date')) return t('v.date')
      if (m.includes('greater than 0')) return t('v.positive')
      if (m.includes('reserved')) return t('v.reserved')
      if (m.includes('header')) return t('v.header')
      return t('v.invalid')
    }
    case 'not_multiple_of':
      return t('v.integer')
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return t('v.invalid')
  }
}

/**
 * Validate a request body with the server's own zod schema (src/contracts). Field errors are shown on the form;
 * returns the parsed body, or null when invalid.
 */
export function validateBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  form?: FormLike,
  fieldMap: Record<string, string> = {},
): z.output<S> | null {
  const r = schema.safeParse(body)
  if (r.success) return r.data
  if (form) {
    const fields: Record<string, { value: unknown; error: { message: string } }> = {}
    for (const issue of r.error.issues) {
      const top = String(issue.path[0] ?? '')
      const field = fieldMap[top] ?? top
      if (!field || fields[field]) continue
      fields[field] = { value: form.getFieldValue(field), error: { message: issueMessage(issue) } }
    }
    form.setFields(fields)
  }
  return null
}

const FIELD_LABELS: Record<string, TKey> = {
  value: 'field.value',
  price_per_unit: 'field.price_per_unit',
  model_name: 'field.model_name',
  window_sec: 'field.window_sec',
  limit_type: 'field.limit_type',
  unit: 'field.unit',
  code: 'field.code',
  group_id: 'field.group_id',
}

/** The first problem as text (for forms without a FormInstance), led by the field's label, never its API name. */
export function firstIssue<S extends z.ZodType>(schema: S, body: unknown): string | null {
  const r = schema.safeParse(body)
  if (r.success) return null
  const issue = r.error.issues[0]
  const label = FIELD_LABELS[String(issue.path[0] ?? '')]
  return label ? `${t(label)}: ${issueMessage(issue)}` : issueMessage(issue)
}

/** Keep only defined values (the server rejects unknown fields, and `undefined` means "not set"). */
export function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) (out as Record<string, unknown>)[k] = v
  return out
}
