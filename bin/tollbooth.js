#!/usr/bin/env -S node --max-semi-space-size=128
// Runs the TypeScript sources directly: no build step between a clone and a running instance.
// A larger young generation (the flag above): a CDR import allocates per row, and nearly all of it
// dies young; with the default size the collector copies live rows over and over.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
