import { create } from 'zustand'
import { persist, createJSONStorage } from 'zustand/middleware'

export type Lang = 'en' | 'zh'

interface PrefsState {
  lang: Lang
  setLang: (lang: Lang) => void
}

function initialLang(): Lang {
  if (typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh')) return 'zh'
  return 'en'
}

export const usePrefs = create<PrefsState>()(
  persist(
    (set) => ({
      lang: initialLang(),
      setLang: (lang) => set({ lang }),
    }),
    { name: 'ui-prefs', storage: createJSONStorage(() => localStorage) },
  ),
)
