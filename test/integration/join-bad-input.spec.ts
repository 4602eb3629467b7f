import assert from 'node:assert/strict'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import {
  JOIN_TIMEOUT_MS, MAX_JOIN_REQUEST_BYTES, MAX_JOIN_RESPONSE_BYTES, PROTOCOL_JOIN,
  JoinError, JoinResponse, decodeSubnetTable
} from '../../src/core/index.js'
import { TestNetwork } from '../helpers/network.js'
import { answered, frame, join, joinRequestBytes, rawClient, rawJoin, sample, varint, type RawOutcome } from '../helpers/raw-join.js'
import { waitUntil } from '../helpers/wait.js'
import type { Bootstrap, SubnetView } from '../../bootstrap/index.js'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

const REQUESTS = 'peerhive_protocol_requests_total'

/** How many join exchanges the bootstrap counted with `outcome`. */
async function counted (bootstrap: Bootstrap, outcome: string): Promise<number> {
  const text = await bootstrap.metrics.registry.getSingleMetricAsString(REQUESTS)
  return sample(text, REQUESTS, { protocol: PROTOCOL_JOIN, outcome })
}

/**
 * Resolves once the counter of `outcome` has grown by `by` since `before` (it is updated after the stream closes);
 * by exactly `by` unless other peers may add to it too (a legitimate peer's join counts as ok).
 */
async function countedMore (bootstrap: Bootstrap, outcome: string, before: number, by: number, exactly = true): Promise<void> {
  await waitUntil(`${REQUESTS}{outcome="${outcome}"} to grow by ${by} from ${before}`, async () => (await counted(bootstrap, outcome)) >= before + by, 8_000)
  if (!exactly) return
  // and no more than that
  await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal(await counted(bootstrap, outcome), before + by, `${REQUESTS}{outcome="${outcome}"}`)
}

/** Every place `peerId` has in the table: as a virtual server, a member or a central client. */
function occurrences (table: SubnetView[], peerId: string): number {
  let n = 0
  for (const row of table) {
    for (const vs of row.virtualServers) {
      if (vs.peerId === peerId) n++
      n += vs.members.filter(m => m === peerId).length
    }
    n += row.centralClients.filter(c => c === peerId).length
  }
  return n
}

/** How many of `streams` have closed (or been reset) within `ms`. */
async function closedWithin (streams: Stream[], ms: number): Promise<number> {
  let closed = 0
  await Promise.race([
    Promise.all(streams.map(async s => new Promise<void>(resolve => {
      if (s.status !== 'open') { closed++; resolve(); return }
      s.addEventListener('close', () => { closed++; resolve() }, { once: true })
    }))),
    new Promise(resolve => setTimeout(resolve, ms).unref())
  ])
  return closed
}

function refused (outcome: RawOutcome, code: JoinError, message: RegExp): void {
  const res = answered(outcome)
  assert.equal(res.error, code, `expected ${code}, got ${res.error} (${res.message})`)
  assert.match(res.message, message)
  assert.equal(res.subnet, '')
  assert.equal(res.table.byteLength, 0)
}

describe('the bootstrap refuses hostile join input and keeps serving', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const clients: Libp2p<any>[] = []
  let target: string
  let legitHost = 0

  async function client (ip: string): Promise<Libp2p<any>> {
    const c = await rawClient(ip)
    clients.push(c)
    return c
  }

  /** A real peer (createNode) can still join, and the same hostile connection gets a normal answer to a valid request. */
  async function stillServes (hostile?: Libp2p<any>): Promise<void> {
    if (hostile != null) {
      const res = answered(await join(hostile, target))
      assert.equal(res.error, JoinError.NONE, `a valid join after the bad one: ${res.error} ${res.message}`)
    }
    const node = await net.addPeer(40, ++legitHost)
    const placed = await node.waitForPlacement(undefined, AbortSignal.timeout(10_000))
    assert.equal(placed.subnet, '127.0.40.0/24')
    assert.equal(occurrences(net.bootstrap.subnets(), node.peerId), 1)
  }

  before(async () => {
    await net.startBootstrap()
    target = net.bootstrapAddr()
  })

  after(async () => {
    await Promise.allSettled(clients.map(async c => c.stop()))
    await net.stop()
  })

  it('answers MESSAGE_TOO_LARGE to a request over 4 KiB, before reading its body', async () => {
    const c = await client('127.0.31.1')
    const before = await counted(net.bootstrap, JoinError.MESSAGE_TOO_LARGE)

    // 1 MiB of data behind a 3-byte length prefix: refused on the prefix alone
    refused(await rawJoin(c, target, frame(new Uint8Array(1 << 20).fill(7))), JoinError.MESSAGE_TOO_LARGE, /too long|too large|exceeds/i)
    // just over the limit, with a 2-byte prefix
    refused(await rawJoin(c, target, frame(new Uint8Array(MAX_JOIN_REQUEST_BYTES + 1))), JoinError.MESSAGE_TOO_LARGE, new RegExp(`${MAX_JOIN_REQUEST_BYTES + 1} > ${MAX_JOIN_REQUEST_BYTES}`))
    // a prefix that claims 1 MiB and nothing behind it: no waiting for a body that never comes
    refused(await rawJoin(c, target, varint(1 << 20), { closeWrite: false }), JoinError.MESSAGE_TOO_LARGE, /too long|too large|exceeds/i)
    // a well-formed JoinRequest whose claimed_subnet makes it 8 KiB
    const huge = joinRequestBytes({ claimedSubnet: '127.0.99.0/24'.padEnd(8_000, '0') })
    assert.ok(huge.byteLength > MAX_JOIN_REQUEST_BYTES)
    refused(await rawJoin(c, target, frame(huge)), JoinError.MESSAGE_TOO_LARGE, /too long/i)
    // small in bytes but over the repeated-field limit: 17 listen addresses (the limit is 16)
    const many = joinRequestBytes({ listenAddrs: Array.from({ length: 17 }, (_, i) => `/ip4/127.0.31.1/tcp/${4000 + i}`) })
    assert.ok(many.byteLength < MAX_JOIN_REQUEST_BYTES)
    refused(await rawJoin(c, target, frame(many)), JoinError.MESSAGE_TOO_LARGE, /listenAddrs.*too many/)

    await countedMore(net.bootstrap, JoinError.MESSAGE_TOO_LARGE, before, 5)
    assert.equal(occurrences(net.bootstrap.subnets(), c.peerId.toString()), 0)
    await stillServes(c)
  })

  it('answers MALFORMED_MESSAGE to bytes that are not a JoinRequest', async () => {
    const c = await client('127.0.31.2')
    const before = await counted(net.bootstrap, JoinError.MALFORMED_MESSAGE)

    // a correct length prefix around 32 bytes of 0xff: no valid field tag
    refused(await rawJoin(c, target, frame(new Uint8Array(32).fill(0xff))), JoinError.MALFORMED_MESSAGE, /.+/)
    // field 2 (listen_addrs) that says it is 100 bytes long inside a 3-byte message
    refused(await rawJoin(c, target, frame(Uint8Array.from([0x12, 100, 0x41]))), JoinError.MALFORMED_MESSAGE, /.+/)
    // the prefix promises 100 bytes, 10 arrive, then the client closes its end
    refused(await rawJoin(c, target, Uint8Array.from([...varint(100), ...new Uint8Array(10)])), JoinError.MALFORMED_MESSAGE, /EOF|closed/i)

    await countedMore(net.bootstrap, JoinError.MALFORMED_MESSAGE, before, 3)
    assert.equal(occurrences(net.bootstrap.subnets(), c.peerId.toString()), 0)
    await stillServes(c)
  })

  it('answers UNSUPPORTED_VERSION to version 2, version 0 and an empty message', async () => {
    const c = await client('127.0.31.4')
    const before = await counted(net.bootstrap, JoinError.UNSUPPORTED_VERSION)

    refused(await join(c, target, { version: 2 }), JoinError.UNSUPPORTED_VERSION, /version 2 is not supported.*version 1/)
    refused(await join(c, target, { version: 0 }), JoinError.UNSUPPORTED_VERSION, /version 0 is not supported/)
    // a zero-length message decodes to all defaults, so version 0
    refused(await rawJoin(c, target, varint(0)), JoinError.UNSUPPORTED_VERSION, /version 0 is not supported/)
    refused(await join(c, target, { version: 0xffffffff }), JoinError.UNSUPPORTED_VERSION, /not supported/)

    await countedMore(net.bootstrap, JoinError.UNSUPPORTED_VERSION, before, 4)
    assert.equal(occurrences(net.bootstrap.subnets(), c.peerId.toString()), 0)
    await stillServes(c)
  })

  it('rate-limits a flood of joins from one peer, which holds one place at most', async () => {
    const c = await client('127.0.31.5')
    const id = c.peerId.toString()
    const okBefore = await counted(net.bootstrap, 'ok')
    const limitedBefore = await counted(net.bootstrap, JoinError.RATE_LIMITED)

    const started = Date.now()
    const sequential: RawOutcome[] = []
    for (let i = 0; i < 20; i++) sequential.push(await join(c, target))
    const parallel = await Promise.all(Array.from({ length: 20 }, async () => join(c, target)))
    const all = [...sequential, ...parallel]

    // the default is 10 joins per peer per 10 s: the first 10 are served, every later one refused
    const codes = sequential.map(o => answered(o).error)
    assert.deepEqual(codes, [...Array(10).fill(JoinError.NONE), ...Array(10).fill(JoinError.RATE_LIMITED)],
      `answers to 20 sequential joins sent within ${Date.now() - started} ms (the window is 10 s)`)
    for (const o of sequential.slice(10)) assert.match(answered(o).message, /more than 10 joins in 10 s/)
    // in parallel, each one is refused: answered RATE_LIMITED, or its stream reset beyond the per-connection stream limit
    const limited = all.filter(o => o.response?.error === JoinError.RATE_LIMITED).length
    for (const o of parallel) {
      if (o.response != null) assert.equal(o.response.error, JoinError.RATE_LIMITED)
    }
    assert.ok(parallel.some(o => o.response != null), 'some parallel joins were answered')

    await countedMore(net.bootstrap, 'ok', okBefore, 10, false)
    await countedMore(net.bootstrap, JoinError.RATE_LIMITED, limitedBefore, limited)
    assert.equal(occurrences(net.bootstrap.subnets(), id), 1, 'the flooder holds exactly one place')
    await stillServes()
  })

  it('refuses join streams beyond the per-connection limit and times out idle ones', async () => {
    const c = await client('127.0.31.6')
    const timeoutsBefore = await counted(net.bootstrap, 'TIMEOUT')
    // four streams that never send a byte (slowloris) hold every slot of this connection
    const idle: Stream[] = []
    for (let i = 0; i < 4; i++) idle.push(await c.dialProtocol(multiaddr(target), PROTOCOL_JOIN) as Stream)
    const ended = closedWithin(idle, JOIN_TIMEOUT_MS + 3_000)

    const fifth = await join(c, target)
    assert.equal(fifth.response, undefined, 'a fifth concurrent join stream must not be served')

    // the bootstrap gives up on the idle streams after JOIN_TIMEOUT_MS and counts them
    assert.equal(await ended, 4, `idle join streams still open ${JOIN_TIMEOUT_MS + 3_000} ms later`)
    await countedMore(net.bootstrap, 'TIMEOUT', timeoutsBefore, 4, false)
    assert.equal(occurrences(net.bootstrap.subnets(), c.peerId.toString()), 0)
    // the slots are free again
    await stillServes(c)
  })

  it('does not hold a join stream past JOIN_TIMEOUT_MS after answering, when the peer never closes its end', async () => {
    const c = await client('127.0.31.10')
    const held: Stream[] = []
    const codes: JoinError[] = []
    // two oversized requests whose 3 MiB keep arriving after the refusal, and two valid ones; the peer closes none
    for (const bytes of [frame(new Uint8Array(3 << 20)), frame(new Uint8Array(3 << 20)), frame(joinRequestBytes()), frame(joinRequestBytes())]) {
      const stream = await c.dialProtocol(multiaddr(target), PROTOCOL_JOIN) as Stream
      const lp = lpStream(stream, { maxDataLength: MAX_JOIN_RESPONSE_BYTES })
      stream.send(bytes)
      codes.push(JoinResponse.decode(await lp.read({ signal: AbortSignal.timeout(5_000) })).error)
      held.push(stream)
    }
    assert.deepEqual(codes, [JoinError.MESSAGE_TOO_LARGE, JoinError.MESSAGE_TOO_LARGE, JoinError.NONE, JoinError.NONE])

    // each exchange is over: the bootstrap must let go of the stream (and the bytes still arriving on it) by its deadline
    const closed = await closedWithin(held, JOIN_TIMEOUT_MS + 3_000)
    assert.equal(closed, 4, `${4 - closed} of 4 answered join streams are still open on the bootstrap ${JOIN_TIMEOUT_MS + 3_000} ms later, ` +
      'each holding one of the connection\'s 4 join slots and whatever the peer sent after its request')
    await stillServes(c)
  })

  it('refuses a claim of another subnet (SUBNET_MISMATCH) and a malformed claim (MALFORMED_MESSAGE)', async () => {
    const c = await client('127.0.31.7')
    const id = c.peerId.toString()
    const mismatchBefore = await counted(net.bootstrap, JoinError.SUBNET_MISMATCH)
    const malformedBefore = await counted(net.bootstrap, JoinError.MALFORMED_MESSAGE)

    refused(await join(c, target, { claimedSubnet: '127.0.99.0/24' }), JoinError.SUBNET_MISMATCH, /127\.0\.31\.7.*127\.0\.31\.0\/24.*127\.0\.99\.0\/24/)
    refused(await join(c, target, { claimedSubnet: '127.0.31.0/25' }), JoinError.SUBNET_MISMATCH, /127\.0\.31\.0\/25/)
    refused(await join(c, target, { claimedSubnet: 'banana' }), JoinError.MALFORMED_MESSAGE, /banana/)
    refused(await join(c, target, { claimedSubnet: '127.0.99.0/33' }), JoinError.MALFORMED_MESSAGE, /not a CIDR/)
    await countedMore(net.bootstrap, JoinError.SUBNET_MISMATCH, mismatchBefore, 2)
    await countedMore(net.bootstrap, JoinError.MALFORMED_MESSAGE, malformedBefore, 2)
    assert.equal(occurrences(net.bootstrap.subnets(), id), 0)
    assert.equal(net.bootstrap.subnets().find(r => r.subnet === '127.0.99.0/24'), undefined)

    // claiming the subnet it really is in (in any spelling) is fine
    const res = answered(await join(c, target, { claimedSubnet: '127.0.31.200/24' }))
    assert.equal(res.error, JoinError.NONE, res.message)
    assert.equal(res.subnet, '127.0.31.0/24')
    assert.equal(occurrences(net.bootstrap.subnets(), id), 1)
    await stillServes()
  })

  it('accepts a claimed subnet when the operator allows claims', async () => {
    const open = new TestNetwork()
    const mine: Libp2p<any>[] = []
    try {
      await open.startBootstrap({ allowSubnetClaims: true })
      const c = await rawClient('127.0.31.8')
      mine.push(c)
      const id = c.peerId.toString()
      const res = answered(await join(c, open.bootstrapAddr(), { claimedSubnet: '127.0.99.0/24' }))
      assert.equal(res.error, JoinError.NONE, res.message)
      assert.equal(res.subnet, '127.0.99.0/24')
      assert.equal(decodeSubnetTable(res.table).subnet, '127.0.99.0/24')
      const row = open.bootstrap.subnets().find(r => r.subnet === '127.0.99.0/24')
      assert.equal(row?.virtualServers[0]?.peerId, id)
      assert.equal(open.bootstrap.subnets().find(r => r.subnet === '127.0.31.0/24'), undefined)
      // a malformed claim is still refused
      const other = await rawClient('127.0.31.9')
      mine.push(other)
      refused(await join(other, open.bootstrapAddr(), { claimedSubnet: 'banana' }), JoinError.MALFORMED_MESSAGE, /banana/)
      assert.equal(occurrences(open.bootstrap.subnets(), other.peerId.toString()), 0)
      await countedMore(open.bootstrap, JoinError.MALFORMED_MESSAGE, 0, 1)
    } finally {
      await Promise.allSettled(mine.map(async c => c.stop()))
      await open.stop()
    }
  })

  it('keeps only advertised addresses on the observed IP, so a peer cannot make others dial elsewhere', async () => {
    // alone in its subnet, so it becomes the virtual server and its addresses are published
    const c = await client('127.0.36.1')
    const id = c.peerId.toString()
    // someone else's PeerId: the kept address must name the joining peer, not this one
    const other = net.bootstrap.peerId
    const res = answered(await join(c, target, {
      listenAddrs: [
        '/ip4/10.0.0.1/tcp/4001',
        '/ip4/127.0.36.2/tcp/4001',
        '/ip4/127.0.0.1/tcp/4001',
        '/ip6/::1/tcp/4001',
        '/dns4/evil.example/tcp/80',
        'not a multiaddr',
        '/ip4/127.0.36.1/tcp/0',
        '/ip4/127.0.36.1/udp/4242/quic-v1',
        `/ip4/127.0.36.1/tcp/4242/p2p/${other}`,
        '/ip4/127.0.36.1/tcp/4242'
      ]
    }))
    assert.equal(res.error, JoinError.NONE, res.message)
    assert.equal(res.subnet, '127.0.36.0/24')
    const kept = [`/ip4/127.0.36.1/tcp/4242/p2p/${id}`]
    assert.deepEqual(decodeSubnetTable(res.table).servers[0].addrs, kept)
    const row = net.bootstrap.subnets().find(r => r.subnet === '127.0.36.0/24')
    assert.equal(row?.virtualServers[0]?.peerId, id)
    assert.deepEqual(row?.virtualServers[0]?.addresses, kept)

    // at most 8 addresses are kept, even all on the observed IP
    const res2 = answered(await join(c, target, { listenAddrs: Array.from({ length: 16 }, (_, i) => `/ip4/127.0.36.1/tcp/${5000 + i}`) }))
    assert.equal(res2.error, JoinError.NONE, res2.message)
    assert.equal(decodeSubnetTable(res2.table).servers[0].addrs.length, 8)
    await stillServes()
  })
})

// On its own bootstrap: while this protection is missing, the stall it provokes would disturb the other cases.
describe('the bootstrap refuses an endless length prefix', function () {
  this.timeout(60_000)
  const net = new TestNetwork()
  const clients: Libp2p<any>[] = []
  let target: string

  before(async () => {
    await net.startBootstrap()
    target = net.bootstrapAddr()
  })

  after(async () => {
    await Promise.allSettled(clients.map(async c => c.stop()))
    await net.stop()
  })

  it('refuses a length prefix that never ends at once, without stalling the bootstrap', async () => {
    const c = await rawClient('127.0.31.3')
    clients.push(c)
    const before = await counted(net.bootstrap, JoinError.MESSAGE_TOO_LARGE)
    // 1 MiB of 0xff: every byte says "the length goes on". Two bytes are enough for any length up to 4 KiB,
    // so the third byte already proves the message too large.
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const started = Date.now()
    const hostile = rawJoin(c, target, new Uint8Array(1 << 20).fill(0xff), { timeoutMs: 20_000 })
    // a legitimate join meanwhile (the bootstrap runs in this process, so a stalled event loop shows here)
    const legit = await rawClient('127.0.32.1')
    clients.push(legit)
    const legitStarted = Date.now()
    const legitOutcome = await join(legit, target, {}, 20_000)
    const legitMs = Date.now() - legitStarted
    const outcome = await hostile
    const hostileMs = Date.now() - started
    delay.disable()
    const stalledMs = Math.round(delay.max / 1e6)

    const got = outcome.response != null ? `${outcome.response.error} ("${outcome.response.message}")` : `no answer (${outcome.error.name}: ${outcome.error.message})`
    assert.equal(outcome.response?.error, JoinError.MESSAGE_TOO_LARGE,
      `expected MESSAGE_TOO_LARGE, got ${got} after ${hostileMs} ms; ` +
      `the event loop stalled for up to ${stalledMs} ms and a concurrent valid join took ${legitMs} ms`)
    assert.equal(answered(legitOutcome).error, JoinError.NONE)
    assert.ok(hostileMs < 2_000, `the refusal took ${hostileMs} ms`)
    assert.ok(legitMs < 2_000, `a concurrent valid join took ${legitMs} ms`)
    assert.ok(stalledMs < 1_000, `the event loop stalled for ${stalledMs} ms`)
    await countedMore(net.bootstrap, JoinError.MESSAGE_TOO_LARGE, before, 1)
    assert.equal(occurrences(net.bootstrap.subnets(), c.peerId.toString()), 0)
    const after = answered(await join(c, target))
    assert.equal(after.error, JoinError.NONE, after.message)
  })
})
