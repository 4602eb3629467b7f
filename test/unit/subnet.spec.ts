/**
 * Behavioural tests for src/core/subnet.ts: the router band (subnet) of an
 * address, CIDR canonicalisation and prefix validation.
 */
import assert from 'node:assert/strict'
import { InvalidOptionError } from '../../src/core/errors.js'
import { parseCidr, subnetOf, validatePrefix } from '../../src/core/subnet.js'

const DEFAULTS = { v4: 24, v6: 64 }
const v4 = (bits: number): { v4: number, v6: number } => ({ v4: bits, v6: 64 })
const v6 = (bits: number): { v4: number, v6: number } => ({ v4: 24, v6: bits })

/** asserts `fn` throws an InvalidOptionError (by name and by class) */
function throwsInvalid (fn: () => unknown, context: string): void {
  assert.throws(fn, (err: any) => {
    assert.equal(err?.name, 'InvalidOptionError', `${context}: error name`)
    assert.ok(err instanceof InvalidOptionError, `${context}: error class`)
    assert.equal(typeof err.message, 'string')
    assert.ok(err.message.length > 0, `${context}: error has a message`)
    return true
  }, context)
}

/** the WHATWG URL serializer's canonical (RFC 5952 style) text of an IPv6 address */
function whatwgV6 (ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1)
}

describe('subnet', () => {
  describe('subnetOf, IPv4', () => {
    it('masks to /24 by default', () => {
      assert.equal(subnetOf('127.0.9.77', DEFAULTS), '127.0.9.0/24')
      assert.equal(subnetOf('10.20.30.40', DEFAULTS), '10.20.30.0/24')
    })

    it('masks to /16 and /8', () => {
      assert.equal(subnetOf('127.0.9.77', v4(16)), '127.0.0.0/16')
      assert.equal(subnetOf('172.16.200.1', v4(16)), '172.16.0.0/16')
      assert.equal(subnetOf('127.0.9.77', v4(8)), '127.0.0.0/8')
      assert.equal(subnetOf('10.20.30.40', v4(8)), '10.0.0.0/8')
    })

    it('keeps the whole address at /32', () => {
      assert.equal(subnetOf('127.0.9.77', v4(32)), '127.0.9.77/32')
      assert.equal(subnetOf('255.255.255.255', v4(32)), '255.255.255.255/32')
    })

    it('masks prefixes that are not on an octet boundary', () => {
      // 50 = 0b0011_0010, /20 keeps the top 4 bits of the third octet -> 48
      assert.equal(subnetOf('200.100.50.25', v4(20)), '200.100.48.0/20')
      // 77 = 0b0100_1101, /26 keeps the top 2 bits of the last octet -> 64
      assert.equal(subnetOf('127.0.9.77', v4(26)), '127.0.9.64/26')
      assert.equal(subnetOf('127.0.9.77', v4(1)), '0.0.0.0/1')
      assert.equal(subnetOf('200.0.0.1', v4(1)), '128.0.0.0/1')
    })

    it('handles addresses with the high bit set (no signed-integer artefacts)', () => {
      assert.equal(subnetOf('255.255.255.255', DEFAULTS), '255.255.255.0/24')
      assert.equal(subnetOf('192.168.1.200', DEFAULTS), '192.168.1.0/24')
      assert.equal(subnetOf('224.1.2.3', v4(8)), '224.0.0.0/8')
    })

    it('puts addresses of one /24 in the same subnet and neighbours in different ones', () => {
      assert.equal(subnetOf('127.0.9.1', DEFAULTS), subnetOf('127.0.9.254', DEFAULTS))
      assert.notEqual(subnetOf('127.0.9.1', DEFAULTS), subnetOf('127.0.10.1', DEFAULTS))
    })

    it('ignores the IPv6 prefix for IPv4 addresses', () => {
      assert.equal(subnetOf('127.0.9.77', { v4: 24, v6: 48 }), '127.0.9.0/24')
      assert.equal(subnetOf('127.0.9.77', { v4: 24, v6: 128 }), '127.0.9.0/24')
    })
  })

  describe('subnetOf, IPv6', () => {
    it('masks a full address to /64 and compresses the zero tail', () => {
      assert.equal(subnetOf('2001:db8:1:2:3:4:5:6', DEFAULTS), '2001:db8:1:2::/64')
    })

    it('masks to /48', () => {
      assert.equal(subnetOf('2001:db8:1:2:3:4:5:6', v6(48)), '2001:db8:1::/48')
    })

    it('masks prefixes that are not on a 16-bit group boundary', () => {
      assert.equal(subnetOf('2001:db8:1:abcd::1', v6(56)), '2001:db8:1:ab00::/56')
      assert.equal(subnetOf('2001:db8:ffff::1', v6(36)), '2001:db8:f000::/36')
    })

    it('ignores the IPv4 prefix for IPv6 addresses', () => {
      assert.equal(subnetOf('2001:db8:1:2:3:4:5:6', { v4: 8, v6: 64 }), '2001:db8:1:2::/64')
    })

    it('gives canonical (lower-case, zero-compressed) text for compressed inputs', () => {
      assert.equal(subnetOf('::1', DEFAULTS), '::/64')
      assert.equal(subnetOf('::1', v6(128)), '::1/128')
      assert.equal(subnetOf('::', v6(128)), '::/128')
      assert.equal(subnetOf('fe80::1', DEFAULTS), 'fe80::/64')
      assert.equal(subnetOf('fe80::1', v6(128)), 'fe80::1/128')
      assert.equal(subnetOf('2001:DB8::1', DEFAULTS), '2001:db8::/64')
      assert.equal(subnetOf('2001:0db8:0001:0002::9', DEFAULTS), '2001:db8:1:2::/64')
      assert.equal(subnetOf('1::', v6(128)), '1::/128')
    })

    it('gives one subnet for every spelling of the same address', () => {
      const spellings = ['2001:db8:1:2::9', '2001:0db8:0001:0002:0000:0000:0000:0009', '2001:DB8:1:2:0:0:0:9']
      for (const s of spellings) assert.equal(subnetOf(s, DEFAULTS), '2001:db8:1:2::/64', s)
    })

    it('prints an IPv4-mapped network with a hex tail, as WHATWG URL does (parseCidr)', () => {
      assert.equal(parseCidr('::ffff:192.168.1.2/128').canonical, '::ffff:c0a8:102/128')
      assert.equal(parseCidr('::ffff:192.168.1.2/128').canonical, `${whatwgV6('::ffff:192.168.1.2')}/128`)
      assert.equal(parseCidr('::ffff:127.0.0.1/96').canonical, '::ffff:0:0/96')
    })

    // a dual-stack `/ip6/::` listener reports IPv4 peers as IPv4-mapped addresses
    it('puts an IPv4-mapped address in the subnet of its IPv4 address', () => {
      assert.equal(subnetOf('::ffff:127.0.9.77', DEFAULTS), '127.0.9.0/24')
      assert.notEqual(subnetOf('::ffff:127.0.9.77', DEFAULTS), subnetOf('::ffff:10.0.0.1', DEFAULTS))
    })

    it('agrees with the WHATWG URL serializer where the zero run is a single tail or head', () => {
      const cases: Array<[string, number]> = [
        ['2001:db8:1:2:3:4:5:6', 64], ['2001:db8:1:2:3:4:5:6', 48], ['2001:db8:1:2:3:4:5:6', 128],
        ['fe80::1', 64], ['fe80::1', 128], ['::1', 128], ['::1', 64], ['1:2:3:4:5:6:7:8', 112]
      ]
      for (const [ip, bits] of cases) {
        const out = subnetOf(ip, v6(bits))
        const [net] = out.split('/')
        assert.equal(net, whatwgV6(net), `${ip}/${bits} -> ${out}`)
      }
    })

    // RFC 5952 §4.2.3: the longest run is compressed, so CIDRs compare as strings with other tools' output
    it('compresses the longest run of zero groups (RFC 5952)', () => {
      assert.equal(subnetOf('2001:0:0:5:1:2:3:4', DEFAULTS), '2001:0:0:5::/64')
      assert.equal(subnetOf('2001:db8:0:0:1:0:0:0', v6(128)), '2001:db8:0:0:1::/128')
      assert.equal(subnetOf('0:0:1:0:0:0:0:0', v6(128)), '0:0:1::/128')
      assert.equal(parseCidr('2001:0:0:5:1::/80').canonical, '2001:0:0:5:1::/80')
    })
  })

  describe('subnetOf, invalid input', () => {
    for (const bad of ['banana', '', '127.0.0.256', '127.0.0', '127.0.0.1/24', '2001:db8::g', '1:2:3:4:5:6:7:8:9', 'localhost', ' 127.0.0.1']) {
      it(`throws InvalidOptionError for ${JSON.stringify(bad)}`, () => {
        throwsInvalid(() => subnetOf(bad, DEFAULTS), bad)
      })
    }
  })

  describe('parseCidr', () => {
    it('canonicalises an IPv4 CIDR to its network address', () => {
      const r = parseCidr('127.0.9.5/24')
      assert.equal(r.canonical, '127.0.9.0/24')
      assert.equal(r.bits, 24)
      assert.equal(r.ip, '127.0.9.5')
    })

    it('leaves an already canonical CIDR unchanged', () => {
      assert.equal(parseCidr('127.0.9.0/24').canonical, '127.0.9.0/24')
      assert.equal(parseCidr('10.0.0.0/8').canonical, '10.0.0.0/8')
      assert.equal(parseCidr('10.1.2.3/32').canonical, '10.1.2.3/32')
    })

    it('canonicalises with the same masking as subnetOf', () => {
      for (const [ip, bits] of [['127.0.9.77', 24], ['200.100.50.25', 20], ['10.20.30.40', 16]] as const) {
        assert.equal(parseCidr(`${ip}/${bits}`).canonical, subnetOf(ip, v4(bits)))
      }
      assert.equal(parseCidr('2001:db8:1:2:3:4:5:6/64').canonical, subnetOf('2001:db8:1:2:3:4:5:6', DEFAULTS))
    })

    it('canonicalises IPv6 CIDRs', () => {
      assert.equal(parseCidr('2001:db8:1:2:3::/64').canonical, '2001:db8:1:2::/64')
      assert.equal(parseCidr('2001:DB8:1::/48').canonical, '2001:db8:1::/48')
      assert.equal(parseCidr('fe80::1/64').canonical, 'fe80::/64')
      assert.equal(parseCidr('fe80::1/64').bits, 64)
    })

    it('trims surrounding whitespace', () => {
      assert.equal(parseCidr('  127.0.9.5/24 \n').canonical, '127.0.9.0/24')
    })

    for (const bad of ['banana', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0', '10.0.0.0/', '/24', '256.0.0.0/8', '10.0.0.0/-1', '10.0.0.0/24/1', '10.0.0.0/2a', '', 'banana/24']) {
      it(`rejects ${JSON.stringify(bad)} with InvalidOptionError`, () => {
        throwsInvalid(() => parseCidr(bad), bad)
      })
    }

    it('says what was wrong in the error message', () => {
      assert.throws(() => parseCidr('banana'), /banana/)
    })
  })

  describe('validatePrefix', () => {
    it('accepts and returns prefixes within the family\'s bounds', () => {
      for (const bits of [1, 8, 16, 24, 32]) assert.equal(validatePrefix(bits, 4), bits)
      for (const bits of [1, 48, 64, 128]) assert.equal(validatePrefix(bits, 6), bits)
    })

    it('rejects 0, negative and too-large prefixes', () => {
      for (const bits of [0, -1, 33, 64, 128]) throwsInvalid(() => validatePrefix(bits, 4), `v4 ${bits}`)
      for (const bits of [0, -8, 129, 256]) throwsInvalid(() => validatePrefix(bits, 6), `v6 ${bits}`)
    })

    it('rejects non-integers', () => {
      for (const bits of [1.5, 23.999, Number.NaN, Number.POSITIVE_INFINITY]) {
        throwsInvalid(() => validatePrefix(bits, 4), `v4 ${bits}`)
        throwsInvalid(() => validatePrefix(bits, 6), `v6 ${bits}`)
      }
    })

    it('names the family and the allowed range in its message', () => {
      assert.throws(() => validatePrefix(33, 4), /IPv4.*1 to 32/)
      assert.throws(() => validatePrefix(129, 6), /IPv6.*1 to 128/)
    })
  })
})
