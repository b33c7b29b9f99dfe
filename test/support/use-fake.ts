// One loopback fake of Google for the tests of a file: started before them,
// closed after them, and reset before each test.
import { after, before, beforeEach } from 'node:test';
import { startFakeGoogle, type FakeGoogle, type FakeGoogleOptions } from './fake-google.ts';

/**
 * `started` gets the fake once it listens; `eachTest` sets up, after each
 * reset, what every test of the file starts with.
 */
export function useFakeGoogle(started: (fake: FakeGoogle) => void, eachTest: (fake: FakeGoogle) => void = () => {}, options: FakeGoogleOptions = {}): void {
  let fake: FakeGoogle | undefined;
  before(async () => {
    fake = await startFakeGoogle(options);
    started(fake);
  });
  after(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    if (!fake) return;
    fake.reset();
    eachTest(fake);
  });
}
