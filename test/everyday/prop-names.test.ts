// propNames: each construct's list of known props is checked by the compiler against its props
// interface (`npm test` type-checks this file: an unused @ts-expect-error fails it too).
import { propNames } from '../../packages/library/lib/validation';

interface Props {
  readonly a?: string;
  readonly b?: number;
}

test('a list with every prop compiles and is returned as is', () => {
  expect(propNames<Props>()('a', 'b')).toEqual(['a', 'b']);
});

test('a list missing a prop, or naming one the interface lacks, does not compile', () => {
  // @ts-expect-error "b" is missing
  const missing = propNames<Props>()('a');
  // @ts-expect-error "c" is not a prop
  const extra = propNames<Props>()('a', 'b', 'c');
  expect([missing, extra]).toEqual([['a'], ['a', 'b', 'c']]); // at runtime it only passes the names through
});
