import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// End-to-end tests start pipetask worker processes (each loads the stack from source, ~0.5 s
// on an idle machine, several seconds on a loaded 2-core CI runner): a longer per-test limit.
export default mergeConfig(shared, defineProject({ test: { name: 'ctrl-mpexec', testTimeout: 60_000 } }));
