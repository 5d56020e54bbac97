// Vitest setup file (every project): tests may start only what the install step provides.
import { installSpawnGuard } from './provided-programs.ts';

installSpawnGuard();
