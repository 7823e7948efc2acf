import { z } from 'zod';

// Pages run under a CSP without 'unsafe-eval'. Zod would probe `new Function` on its first parse
// and the probe, though caught, is reported as a CSP violation: tell it not to try.
z.config({ jitless: true });
