import { create } from 'zustand'
import { persist, createJSONStorage } from 'zustand/middleware'

export type Lang = 'en' | 'zh'
/** `system` follows the operating system's light or dark setting (prefers-color-scheme). */
export type Theme = 'system' | 'light' | 'dark'

interface PrefsState {
  lang: Lang
  setLang: (lang: Lang) => void
  theme: Theme
  setTheme: (theme: Theme) => void
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
      theme: 'system',
      setTheme: (theme) => set({ theme }),
    }),
    { name: 'ui-prefs', storage: createJSONStorage(() => localStorage) },
  ),
)
