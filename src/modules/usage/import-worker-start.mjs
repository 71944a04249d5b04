// A worker thread starts without the TypeScript loader its parent runs with (registered by
// bin/tollbooth.js or `--import tsx`): register one here, then run the worker.
import { register } from 'tsx/esm/api';

register();
await import('./import-worker.ts');
