/**
 * A small internet made of Linux network namespaces (issue 11), for tests
 * and benchmarks of peers behind NAT routers:
 *
 *   public host ──┐                      ┌── home router ── LAN bridge ── hosts
 *   public host ──┼── core (a router) ───┼── home router ── LAN bridge ── hosts
 *                 │                      └── ...
 *
 * - the core routes between point-to-point links, one per site (a /30 of
 *   198.51.100.0/24 for public hosts, of 203.0.113.0/24 for home routers);
 * - a home router masquerades its LAN (10.<home>.0.0/24) behind its public
 *   address and drops every connection it did not see leave, as home routers
 *   do; its uplink may be capped (`tc tbf`);
 * - a host's commands run with `ip netns exec`.
 *
 * Every address exists only inside the lab's namespaces, whose names start
 * with the lab's own prefix; teardown() removes them all, and the processes
 * in them.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startMiniupnpd } from './miniupnpd.js'

const run = promisify(execFile)

export interface HomePlan {
  name: string
  /** LAN hosts behind the router */
  hosts: string[]
  /** cap of the router's uplink (its WAN side's egress), Mbit/s */
  uplinkMbit?: number
  /**
   * A router that maps each connection to a random public port (symmetric
   * NAT, `MASQUERADE --random-fully`) instead of keeping the LAN port when it
   * is free: no hole punch gets through it.
   */
  symmetric?: boolean
  /**
   * The router offers UPnP IGD port mapping (a real miniupnpd on its LAN
   * side): a LAN host may forward a port of the router's public address to
   * one of its own.
   */
  upnp?: boolean
}

export interface LabPlan {
  /** hosts with a public address of their own (a bootstrap, a public peer) */
  publicHosts: string[]
  homes: HomePlan[]
}

export interface LabHost {
  name: string
  /** the network namespace the host runs in */
  netns: string
  /** its own address: public, or on its home's LAN */
  address: string
  /** the home it is in; none for a public host */
  home?: string
}

export interface LabHome {
  name: string
  /** the router's namespace */
  netns: string
  /** the router's public (WAN) address: what the rest of the lab sees of the home's hosts */
  publicAddress: string
  /** the LAN, as a CIDR */
  lan: string
  /** the router's WAN interface, in its namespace (for `tc`, or to cut the link) */
  wan: string
  /** whether the router maps ports over UPnP IGD */
  upnp: boolean
}

/** labs this process made: a default prefix apiece */
let labsMade = 0
/** at most this many sites of each kind: one /30 each in a /24 */
const MAX_SITES = 63
/** host and home names: short and plain, as they appear in `ip netns list` after the lab's prefix */
const NAME = /^[a-z][a-z0-9]{0,7}$/

export class Netlab {
  readonly hosts = new Map<string, LabHost>()
  readonly homes = new Map<string, LabHome>()

  /** `prefix` starts every namespace's name; teardown removes the namespaces that carry it. By default each lab of a process has its own. */
  constructor (readonly prefix = `phl${process.pid % 100_000}${(labsMade++ % 36).toString(36)}`) {}

  /** Builds the lab; on a failure, what was built is torn down and the error thrown. */
  async build (plan: LabPlan): Promise<void> {
    checkPlan(plan)
    try {
      const core = await this.namespace('core')
      await forwardIp(core)
      for (const [i, name] of plan.publicHosts.entries()) {
        const ns = await this.namespace(name)
        const [coreSide, hostSide] = linkAddresses('198.51.100', i)
        await this.link(core, `p${i}`, coreSide, ns, 'wan', hostSide)
        await ip(ns, 'route', 'add', 'default', 'via', coreSide)
        this.hosts.set(name, { name, netns: ns, address: hostSide })
      }
      for (const [i, home] of plan.homes.entries()) {
        await this.buildHome(core, i, home)
      }
    } catch (err) {
      await this.teardown()
      throw err
    }
  }

  /** Runs a command in `host`'s namespace (a host's or a router's name). */
  async exec (host: string, command: string, args: string[], options: { timeoutMs?: number } = {}): Promise<{ stdout: string, stderr: string }> {
    return await run('ip', ['netns', 'exec', this.netnsOf(host), command, ...args], { timeout: options.timeoutMs ?? 30_000, encoding: 'utf8' })
  }

  /** The namespace of a host or of a home's router. */
  netnsOf (name: string): string {
    const ns = this.hosts.get(name)?.netns ?? this.homes.get(name)?.netns
    if (ns == null) throw new Error(`no host or home "${name}" in the lab`)
    return ns
  }

  /** Takes a home's uplink down (a cut cable) or up again. */
  async setUplink (home: string, up: boolean): Promise<void> {
    const h = this.homes.get(home)
    if (h == null) throw new Error(`no home "${home}" in the lab`)
    await ip(h.netns, 'link', 'set', h.wan, up ? 'up' : 'down')
    if (up) await ip(h.netns, 'route', 'replace', 'default', 'via', h.publicAddress.replace(/\d+$/, n => String(Number(n) - 1)))
  }

  /** Removes every namespace of this lab (the processes in them are killed first). */
  async teardown (): Promise<void> {
    await removeNamespaces(this.prefix)
    this.hosts.clear()
    this.homes.clear()
  }

  private async buildHome (core: string, i: number, home: HomePlan): Promise<void> {
    const router = await this.namespace(home.name)
    const [coreSide, wanSide] = linkAddresses('203.0.113', i)
    await this.link(core, `h${i}`, coreSide, router, 'wan', wanSide)
    await ip(router, 'route', 'add', 'default', 'via', coreSide)
    await forwardIp(router)
    const lan = `10.${i + 1}.0`
    await ip(router, 'link', 'add', 'lan', 'type', 'bridge')
    await ip(router, 'addr', 'add', `${lan}.1/24`, 'dev', 'lan')
    await ip(router, 'link', 'set', 'lan', 'up')
    // the home router: its LAN leaves masqueraded; from outside, only what answers a connection made from inside gets in
    await iptables(router, '-t', 'nat', '-A', 'POSTROUTING', '-s', `${lan}.0/24`, '-o', 'wan', '-j', 'MASQUERADE', ...(home.symmetric === true ? ['--random-fully'] : []))
    await iptables(router, '-A', 'FORWARD', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
    if (home.upnp === true) {
      // forwarded connections are let in past the drop below; the forwards themselves are miniupnpd's
      await iptables(router, '-A', 'FORWARD', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT')
    }
    await iptables(router, '-A', 'FORWARD', '-i', 'wan', '-j', 'DROP')
    await iptables(router, '-A', 'INPUT', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
    await iptables(router, '-A', 'INPUT', '-i', 'wan', '-j', 'DROP')
    if (home.uplinkMbit != null) {
      await run('ip', ['netns', 'exec', router, 'tc', 'qdisc', 'add', 'dev', 'wan', 'root', 'tbf', 'rate', `${home.uplinkMbit}mbit`, 'burst', '64kb', 'latency', '100ms'])
    }
    for (const [j, name] of home.hosts.entries()) {
      const ns = await this.namespace(name)
      const address = `${lan}.${j + 2}`
      const port = `l${j}`
      await run('ip', ['link', 'add', `${this.prefix}${port}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      await run('ip', ['link', 'set', `${this.prefix}${port}`, 'netns', router])
      await ip(router, 'link', 'set', `${this.prefix}${port}`, 'master', 'lan', 'up')
      await ip(ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0')
      await ip(ns, 'link', 'set', 'eth0', 'up')
      await ip(ns, 'route', 'add', 'default', 'via', `${lan}.1`)
      this.hosts.set(name, { name, netns: ns, address, home: home.name })
    }
    if (home.upnp === true) await startMiniupnpd(router, { wan: 'wan', lan: 'lan', publicAddress: wanSide, lanCidr: `${lan}.0/24` })
    this.homes.set(home.name, { name: home.name, netns: router, publicAddress: wanSide, lan: `${lan}.0/24`, wan: 'wan', upnp: home.upnp === true })
  }

  /** A namespace with its loopback up. */
  private async namespace (name: string): Promise<string> {
    const ns = `${this.prefix}-${name}`
    await run('ip', ['netns', 'add', ns])
    await ip(ns, 'link', 'set', 'lo', 'up')
    return ns
  }

  /** A veth pair: `aName` in namespace a with `aAddr`/30, `bName` in b with `bAddr`/30. */
  private async link (a: string, aName: string, aAddr: string, b: string, bName: string, bAddr: string): Promise<void> {
    await run('ip', ['link', 'add', `${this.prefix}${aName}`, 'type', 'veth', 'peer', 'name', bName, 'netns', b])
    await run('ip', ['link', 'set', `${this.prefix}${aName}`, 'netns', a])
    await ip(a, 'addr', 'add', `${aAddr}/30`, 'dev', `${this.prefix}${aName}`)
    await ip(a, 'link', 'set', `${this.prefix}${aName}`, 'up')
    await ip(b, 'addr', 'add', `${bAddr}/30`, 'dev', bName)
    await ip(b, 'link', 'set', bName, 'up')
  }
}

/** Removes every namespace whose name starts with `prefix`, killing its processes first. */
export async function removeNamespaces (prefix: string): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list'], { encoding: 'utf8' })
  const mine = stdout.split('\n').map(l => l.split(' ')[0]).filter(n => n.startsWith(`${prefix}-`))
  for (const ns of mine) {
    const pids = await run('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).then(r => r.stdout.split('\n').filter(p => p !== ''), () => [])
    for (const pid of pids) {
      try { process.kill(Number(pid), 'SIGKILL') } catch {}
    }
    await run('ip', ['netns', 'del', ns]).catch(() => {})
  }
}

/** Why the lab cannot be built here, or undefined when it can: root, `ip netns` and `iptables` (and `miniupnpd` and `nft` when `needs.upnp`). */
export async function unavailable (needs: { upnp?: boolean } = {}): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'the test network needs Linux network namespaces'
  if (process.getuid?.() !== 0) return 'the test network needs root (ip netns, iptables)'
  for (const [tool, pkg] of [['ip', 'iproute2'], ['iptables', 'iptables'], ['tc', 'iproute2']]) {
    try {
      await run(tool, ['-V'])
    } catch {
      return `the test network needs ${tool} (apt-get install ${pkg})`
    }
  }
  if (needs.upnp === true) {
    for (const [tool, pkg] of [['miniupnpd', 'miniupnpd'], ['nft', 'nftables']]) {
      try {
        await run(tool, ['--version'])
      } catch {
        return `the test network's UPnP routers need ${tool} (apt-get install ${pkg})`
      }
    }
  }
  const probe = `phprobe${process.pid % 100_000}`
  try {
    await run('ip', ['netns', 'add', probe])
    await run('ip', ['netns', 'del', probe])
  } catch (err: any) {
    return `this machine cannot create network namespaces (${String(err.stderr ?? err.message).trim()})`
  }
  return undefined
}

/** The two ends of site i's /30 in `base`.0/24: the core's, then the site's. */
function linkAddresses (base: string, i: number): [string, string] {
  return [`${base}.${4 * i + 1}`, `${base}.${4 * i + 2}`]
}

function checkPlan (plan: LabPlan): void {
  const names = [...plan.publicHosts, ...plan.homes.flatMap(h => [h.name, ...h.hosts])]
  for (const n of names) if (!NAME.test(n) || n === 'core') throw new Error(`lab names are 1-8 lowercase letters and digits, not "core": "${n}"`)
  if (new Set(names).size !== names.length) throw new Error('every host and home of the lab needs a name of its own')
  if (plan.publicHosts.length > MAX_SITES || plan.homes.length > MAX_SITES) throw new Error(`at most ${MAX_SITES} public hosts and ${MAX_SITES} homes`)
  for (const h of plan.homes) if (h.hosts.length > 200) throw new Error(`at most 200 hosts in home "${h.name}"`)
}

async function ip (ns: string, ...args: string[]): Promise<void> {
  await run('ip', ['-n', ns, ...args])
}

async function iptables (ns: string, ...args: string[]): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'iptables', '-w', ...args])
}

/** Makes the namespace route (each namespace has its own net.ipv4.ip_forward). */
async function forwardIp (ns: string): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'])
}
