#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a change and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../adapters/cli/cli.ts');
process.exitCode = await main(process.argv.slice(2));
