// Where the tests find the upstream copies: $UPSTREAM, as the generators read it (scripts/
// kubeflow-manifests.js, gen-schemas.js), else ../shared/upstream beside the repository. A test
// that needs them skips with a printed reason when they are absent.
import * as path from 'path';

export const UPSTREAM = process.env.UPSTREAM ? path.resolve(process.env.UPSTREAM) : path.resolve(__dirname, '..', '..', '..', 'shared', 'upstream');
