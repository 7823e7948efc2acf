import './zod-config.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { OverlayApp, displayIdFromLocation } from './views/overlay-app.tsx';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <OverlayApp displayId={displayIdFromLocation(window.location.search)} />
  </StrictMode>,
);
