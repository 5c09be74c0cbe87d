import { Init1763700000000 } from './1763700000000-Init.js';

/** Every migration, oldest first. Add new ones here (no globbing: works the same in every build). */
export const MIGRATIONS = [Init1763700000000];
