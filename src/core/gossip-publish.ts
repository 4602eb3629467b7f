import type { PeerhiveMetrics } from './metrics.js'

/** gossipsub, as far as publishing goes */
interface Publisher {
  getSubscribers: (topic: string) => unknown[]
  publish: (topic: string, data: Uint8Array) => Promise<unknown>
}

/**
 * Publishes `bytes` on `topic` and counts it: one message under `label` in
 * peerhive_assignments_published_total, and its bytes times the
 * subscribers it goes to under `gossipsub:<label>`. Returns the number of
 * subscribers; a failed publish throws.
 */
export async function publishCounted (pubsub: Publisher, topic: string, bytes: Uint8Array, label: string, metrics?: PeerhiveMetrics): Promise<number> {
  const recipients = pubsub.getSubscribers(topic).length
  await pubsub.publish(topic, bytes)
  metrics?.published.inc({ topic: label })
  metrics?.bytes.inc({ protocol: `gossipsub:${label}`, direction: 'out' }, bytes.byteLength * recipients)
  return recipients
}
