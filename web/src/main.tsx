import '@arco-design/web-react/es/_util/react-19-adapter'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
// Arco's base styles; each component's own sheet comes with the page that uses it (web/build/arco-styles.ts).
import '@arco-design/web-react/es/style/index.css'
import './styles.css'
import { App } from './App.tsx'

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}
