import { packageBuild } from '../../tooling/tsdown.config.ts';

export default packageBuild({
  index: 'src/index.ts',
  errors: 'src/errors.ts',
  schema: 'src/schema/index.ts',
  policies: 'src/schema/policies.ts',
  objects: 'src/objects/index.ts',
  samples: 'src/samples.ts',
  testing: 'src/testing.ts',
  catalog: 'src/catalog/index.ts',
});
