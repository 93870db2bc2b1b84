#!/usr/bin/env node
// The SDK warns on every run that Node 20 support ends with SDK releases after January 2027.
// The lockfile pins releases that support Node 20, so the notice only adds noise to stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
