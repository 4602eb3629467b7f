/**
 * Step 1: the bootstrap starts, twelve peers join it (the four of a subnet
 * one after another, the three subnets side by side), and the bootstrap's
 * virtual-server table is shown as it sees it.
 */
import { join } from 'node:path'
import { prepareSampleFiles } from './sample-files.js'
import { HOSTS, SUBNETS, VS_LIMIT, shortId, type Joined } from './network.js'
import { pollUntil, type DemoContext } from './context.js'
import { seconds } from './narrator.js'
import type { SubnetView } from '../../bootstrap/index.js'

export async function electionStep (ctx: DemoContext): Promise<void> {
  const { net, say, signal } = ctx
  say.section(1, 'Election: the bootstrap groups peers by subnet and elects virtual servers')
  const bootstrap = await net.startBootstrap()
  say.line(`bootstrap ${shortId(bootstrap.peerId)} on ${bootstrap.multiaddrs()[0].replace(/\/p2p\/.*$/, '')}, vsLimit ${VS_LIMIT}`)
  say.note(`A group holds ${VS_LIMIT} peers, its virtual server included. The first peer of a subnet becomes its`)
  say.note('virtual server, the next ones join its group until it is full, and the one after that is served')
  say.note('by the bootstrap directly (a central client) until one more peer of its subnet arrives.')
  say.say()

  ctx.files = await prepareSampleFiles(join(ctx.dir, 'files'))
  await Promise.all(SUBNETS.map(async subnet => {
    for (const host of HOSTS) {
      const label = `127.0.${subnet}.${host}`
      const joined = await net.startPeer(subnet, host, ctx.files.filter(f => f.sharers.includes(label)), signal).catch(err => { throw explainListenError(err, subnet, host) })
      say.line(describeJoin(ctx, joined))
    }
  }))

  // the table settles once the last assignment of every subnet is applied
  const expected = (rows: SubnetView[]): boolean => rows.length === SUBNETS.length && rows.every(r =>
    r.virtualServers.length === 1 && r.virtualServers[0].members.length === VS_LIMIT - 1 && r.centralClients.length === HOSTS.length - VS_LIMIT)
  await pollUntil(() => expected(bootstrap.subnets()), 10_000, signal)
  const rows = bootstrap.subnets().sort((a, b) => a.subnet.localeCompare(b.subnet, 'en', { numeric: true }))

  say.say()
  say.line('The bootstrap\'s table (peerhive subnets):')
  const table = [['subnet', 'virtual server', 'group', 'members', 'central clients']]
  for (const r of rows) {
    const vs = r.virtualServers
    table.push([
      r.subnet,
      vs.map(v => net.label(v.peerId)).join(', ') || '-',
      vs.map(v => `${v.clientCount}/${v.limitCount}`).join(', ') || '-',
      vs.flatMap(v => v.members.map(m => net.label(m))).join(', ') || '-',
      r.centralClients.map(c => net.label(c)).join(', ') || '-'
    ])
  }
  say.table(table)
  const servers = rows.reduce((n, r) => n + r.virtualServers.length, 0)
  const members = rows.reduce((n, r) => n + r.virtualServers.reduce((m, v) => m + v.members.length, 0), 0)
  const central = rows.reduce((n, r) => n + r.centralClients.length, 0)
  say.endSection(`${net.peers.length} peers placed in ${rows.length} subnets: ${servers} virtual servers, ${members} members, ${central} central clients`)
}

function describeJoin (ctx: DemoContext, { peer, placement, ms }: Joined): string {
  const { say, net } = ctx
  let role: string
  if (placement.role === 'virtual-server') role = say.paint('cyan', `virtual server of ${placement.subnet ?? peer.subnet}`)
  else if (placement.role === 'member') role = `member of ${net.label(placement.virtualServer)}'s group`
  else if (placement.role === 'central-client') role = say.paint('yellow', 'central client: its subnet\'s group is full')
  else role = placement.role
  const provider = peer.provider ? say.paint('magenta', ' [provider]') : ''
  return `${peer.label.padEnd(12)} ${say.paint('dim', shortId(peer.node.peerId))}  → ${role}${provider} ${say.paint('dim', `(placed in ${seconds(ms)})`)}`
}

/** On systems where only 127.0.0.1 is configured (macOS), listening on 127.0.S.H fails: say how to fix it. */
function explainListenError (err: any, subnet: number, host: number): Error {
  const message = String(err?.message ?? err)
  if (/EADDRNOTAVAIL|assign requested address/i.test(message)) {
    return new Error(`peer 127.0.${subnet}.${host} could not listen on its loopback address (${message}). ` +
      'The demo needs all of 127.0.0.0/8 on the loopback interface, as on Linux; on macOS add the addresses first, ' +
      `for example: sudo ifconfig lo0 alias 127.0.${subnet}.${host} up`)
  }
  return err
}
