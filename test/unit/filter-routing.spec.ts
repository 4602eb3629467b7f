/**
 * Routing a remote search by keyword filters (protocols/filters.md):
 * nearest first (own router band, then the longest shared IP prefix), the
 * servers whose filters may match before those whose filters are unknown,
 * never one that holds a match left out, and a book bounded in count and
 * bytes that keeps the newest filter of each publisher.
 */
import assert from 'node:assert/strict'
import { FILTER_NETWORK_MESSAGES_PER_SEC, FilterBook, KeywordFilter, byNearness, commonPrefixBits, filterSpacingMs, handOverSpacingMs } from '../../src/sharing/routing/index.js'

const filterOf = (...names: string[]): KeywordFilter => KeywordFilter.of(names.map((filename, i) => ({ cid: `bafk${i}${filename}`, filename, title: '', keywords: [] })))
const everyone = (): boolean => true

describe('routing by keyword filters', () => {
  describe('nearness', () => {
    it('counts the leading bits two subnets share', () => {
      assert.equal(commonPrefixBits('127.0.5.0/24', '127.0.5.0/24'), 128)
      assert.equal(commonPrefixBits('127.0.4.0/24', '127.0.5.0/24'), 96 + 23)
      assert.equal(commonPrefixBits('127.0.5.0/24', '127.0.133.0/24'), 96 + 16)
      assert.equal(commonPrefixBits('10.0.0.0/8', '192.168.0.0/16'), 96)
      assert.equal(commonPrefixBits('2001:db8:1::/48', '2001:db8:2::/48'), 46)
      assert.ok(commonPrefixBits('10.0.0.0/8', '2001:db8::/32') < 96, 'an IPv4 and an IPv6 subnet are farther apart than any two IPv4 ones')
      assert.equal(commonPrefixBits('not a subnet', '127.0.0.0/24'), 0)
    })

    it('orders its own router band first, then by the longest shared prefix, ties in their given order', () => {
      const servers = [
        { peerId: 'far', subnet: '10.9.0.0/24' },
        { peerId: 'v6', subnet: '2001:db8::/64' },
        { peerId: 'near-a', subnet: '127.0.4.0/24' },
        { peerId: 'mid', subnet: '127.0.133.0/24' },
        { peerId: 'own', subnet: '127.0.5.0/24' },
        { peerId: 'near-b', subnet: '127.0.4.0/24' }
      ]
      assert.deepEqual(byNearness('127.0.5.0/24', servers).map(s => s.peerId), ['own', 'near-a', 'near-b', 'mid', 'far', 'v6'])
      // unknown own subnet (a searcher with no subnet): a stable order all the same
      assert.equal(byNearness('', servers).length, servers.length)
    })
  })

  describe('filter book', () => {
    it('routes to the servers whose filters may match every word, nearest first, then those it has no filter of', () => {
      const book = new FilterBook()
      book.put('A', 1, filterOf('moonlight-sonata.mp3'), everyone)
      book.put('B', 1, filterOf('holiday.jpg'), everyone)
      book.put('C', 1, filterOf('sonata-in-c.pdf', 'moonlight.txt'), everyone)
      const servers = [
        { peerId: 'A', subnet: '127.0.9.0/24' },
        { peerId: 'B', subnet: '127.0.5.0/24' },
        { peerId: 'C', subnet: '127.0.6.0/24' },
        { peerId: 'U', subnet: '127.0.5.0/24' }
      ]
      const route = book.route(['sonata'], servers, '127.0.5.0/24', 'central')
      assert.deepEqual(route.servers.map(s => s.peerId), ['C', 'A', 'U'])
      assert.equal(route.pruned, 1)
      assert.equal(route.centralMayMatch, true, 'the central index\'s filter is unknown')
      // AND over words, across entries: C may (the filter is of the whole index), A may
      assert.deepEqual(book.route(['moonlight', 'sonata'], servers, '127.0.5.0/24').servers.map(s => s.peerId), ['C', 'A', 'U'])
      assert.deepEqual(book.route(['holiday'], servers, '127.0.5.0/24').servers.map(s => s.peerId), ['B', 'U'])
      book.put('central', 1, filterOf('only-central.txt'), everyone)
      assert.equal(book.route(['holiday'], servers, '', 'central').centralMayMatch, false)
      assert.equal(book.route(['central'], servers, '', 'central').centralMayMatch, true)
    })

    it('keeps the newest filter of each publisher', () => {
      const book = new FilterBook()
      assert.equal(book.put('A', 5, filterOf('first.txt'), everyone), true)
      assert.equal(book.put('A', 4, filterOf('older.txt'), everyone), false)
      assert.equal(book.put('A', 5, filterOf('replayed.txt'), everyone), false)
      assert.ok(book.get('A')?.mayMatch(['first']))
      assert.equal(book.put('A', 6, filterOf('second.txt'), everyone), true)
      assert.ok(book.get('A')?.mayMatch(['second']))
      assert.equal(book.size, 1)
      assert.equal(book.byteSize, book.get('A')?.bits.byteLength)
    })

    it('is bounded: when full, a publisher that is no server makes room; else the new filter is dropped (its server counts as unknown)', () => {
      const book = new FilterBook(2, 1_000_000)
      const servers = new Set(['S1', 'S2', 'S3'])
      const isServer = (id: string): boolean => servers.has(id)
      book.put('S1', 1, filterOf('a.txt'), isServer)
      book.put('forger', 1, filterOf('b.txt'), isServer)
      assert.equal(book.put('S2', 1, filterOf('c.txt'), isServer), true, 'the forger\'s filter made room')
      assert.equal(book.get('forger'), undefined)
      assert.equal(book.put('S3', 1, filterOf('d.txt'), isServer), false, 'two servers\' filters: no room')
      assert.equal(book.size, 2)
      // bytes too
      const small = new FilterBook(100, 150)
      assert.equal(small.put('S1', 1, filterOf('a.txt'), isServer), true)
      assert.equal(small.put('S2', 1, filterOf('b.txt'), isServer), true)
      assert.equal(small.put('S3', 1, filterOf('c.txt'), isServer), false)
      assert.ok(small.byteSize <= 150)
      // the route still lists a server whose filter was dropped: unknown, so asked
      assert.deepEqual(small.route(['zzz'], [{ peerId: 'S3', subnet: '' }], '').servers.map(s => s.peerId), ['S3'])
    })

    it('drops the filters of publishers that are no servers any more', () => {
      const book = new FilterBook()
      book.put('S1', 1, filterOf('a.txt'), everyone)
      book.put('S2', 1, filterOf('b.txt'), everyone)
      book.retain(id => id === 'S2')
      assert.equal(book.get('S1'), undefined)
      assert.ok(book.get('S2') != null)
    })
  })

  describe('the spacing of new filters', () => {
    it('is the debounce in a small network, grows with the square of the servers, and is capped', () => {
      assert.equal(filterSpacingMs(500, 10, 1_000), 1_000)
      const fifty = filterSpacingMs(500, 50, 1_000)
      const hundred = filterSpacingMs(500, 100, 1_000)
      assert.ok(fifty > 1_000, String(fifty))
      // twice the servers: about four times the wait (each new filter reaches twice as many, from twice as many publishers)
      assert.ok(hundred >= 3.9 * fifty && hundred <= 4.1 * fifty, `${fifty} ${hundred}`)
      assert.equal(filterSpacingMs(30_000, 4_096, 1_000), 60_000)
    })

    it('counts messages as well as bytes: small filters of 100 servers still wait 20 s', () => {
      // by bytes alone, 100-byte filters would go out every 5.7 s, each one checked by all 100 servers
      assert.equal(filterSpacingMs(100, 100, 1_000), 100 * 100 / FILTER_NETWORK_MESSAGES_PER_SEC * 1000)
      assert.equal(filterSpacingMs(100, 100, 1_000), 20_000)
      assert.equal(filterSpacingMs(100, 20, 1_000), 1_000)
    })

    it('handed to the bootstrap, grows only linearly: 1 s at 100 servers where the topic waits 20 s', () => {
      assert.equal(handOverSpacingMs(10, 1_000), 1_000)
      assert.equal(handOverSpacingMs(100, 1_000), 1_000)
      assert.ok(handOverSpacingMs(100, 1_000) < filterSpacingMs(100, 100, 1_000))
      assert.equal(handOverSpacingMs(1_000, 1_000), 10_000)
      assert.equal(handOverSpacingMs(100_000, 1_000), 60_000)
    })
  })
})
