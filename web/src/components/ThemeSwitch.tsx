import { useEffect } from 'react'
import { Button, Tooltip } from '@arco-design/web-react'
import { IconDesktop, IconMoonFill, IconSunFill } from '@arco-design/web-react/icon'
import { useI18n } from '../i18n/index.ts'
import { usePrefs, type Theme } from '../store/prefs.ts'

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' }
const DARK_QUERY = '(prefers-color-scheme: dark)'

/**
 * Arco's dark theme is `arco-theme="dark"` on the body; the page's own colours follow through Arco's variables
 * (styles.css). With `system`, the setting follows the operating system, also when it changes while open.
 */
export function useApplyTheme(): void {
  const theme = usePrefs((s) => s.theme)
  useEffect(() => {
    const media = typeof matchMedia === 'function' ? matchMedia(DARK_QUERY) : null
    const apply = () => {
      const dark = theme === 'dark' || (theme === 'system' && Boolean(media?.matches))
      if (dark) document.body.setAttribute('arco-theme', 'dark')
      else document.body.removeAttribute('arco-theme')
      document.documentElement.style.colorScheme = dark ? 'dark' : 'light'
    }
    apply()
    media?.addEventListener('change', apply)
    return () => media?.removeEventListener('change', apply)
  }, [theme])
}

/** Cycles system → light → dark; the label says which one is on. */
export function ThemeSwitch() {
  const { t } = useI18n()
  const theme = usePrefs((s) => s.theme)
  const setTheme = usePrefs((s) => s.setTheme)
  const icon = theme === 'dark' ? <IconMoonFill /> : theme === 'light' ? <IconSunFill /> : <IconDesktop />
  const label = t(`theme.${theme}`)
  return (
    <Tooltip content={label}>
      <Button
        type="text"
        size="small"
        icon={icon}
        onClick={() => setTheme(NEXT[theme])}
        aria-label={`${t('theme.toggle')}: ${label}`}
        data-testid="theme-switch"
        data-theme={theme}
      />
    </Tooltip>
  )
}
