export const A = 1; export type T = { a: number };
