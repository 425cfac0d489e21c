import { Button } from '@arco-design/web-react'
import { IconLanguage } from '@arco-design/web-react/icon'
import { useI18n } from '../i18n/index.ts'

export function LangSwitch({ size = 'small' }: { size?: 'mini' | 'small' | 'default' }) {
  const { lang, setLang, t } = useI18n()
  return (
    <Button
      size={size}
      type="text"
      icon={<IconLanguage />}
      onClick={() => setLang(lang === 'en' ? 'zh' : 'en')}
      data-testid="lang-switch"
      // The visible word ("中文" / "English") is the button's name, as axe's label-in-name rule wants.
      title={t('common.language')}
    >
      {t('common.otherLanguage')}
    </Button>
  )
}
