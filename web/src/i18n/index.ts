import { useCallback } from 'react'
import { usePrefs, type Lang } from '../store/prefs.ts'
import { enCommon } from './en-common.ts'
import { enUser } from './en-user.ts'
import { enAdmin } from './en-admin.ts'
import { zhCommon } from './zh-common.ts'
import { zhUser } from './zh-user.ts'
import { zhAdmin } from './zh-admin.ts'
import { names } from './names.ts'

export const en = { ...names, ...enCommon, ...enUser, ...enAdmin }
export type TKey = keyof typeof en
export type Dict = Record<TKey, string>
export const zh: Dict = { ...names, ...zhCommon, ...zhUser, ...zhAdmin }

export const dictionaries: Record<Lang, Dict> = { en, zh }

export type Vars = Record<string, string | number>

export function translate(lang: Lang, key: TKey, vars?: Vars): string {
  const template = dictionaries[lang][key] ?? en[key] ?? key
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m))
}

/** Translate with the current language (for code outside React components). */
export function t(key: TKey, vars?: Vars): string {
  return translate(usePrefs.getState().lang, key, vars)
}

/** `t()` bound to the current language; components re-render when it changes. */
export function useI18n(): { t: (key: TKey, vars?: Vars) => string; lang: Lang; setLang: (l: Lang) => void } {
  const lang = usePrefs((s) => s.lang)
  const setLang = usePrefs((s) => s.setLang)
  const tt = useCallback((key: TKey, vars?: Vars) => translate(lang, key, vars), [lang])
  return { t: tt, lang, setLang }
}
