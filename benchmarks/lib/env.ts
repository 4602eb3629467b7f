/** A positive number from the environment variable `name`, or `fallback` when it is unset or empty; anything else is an error. */
export function positiveEnv (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw == null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`)
  return n
}
