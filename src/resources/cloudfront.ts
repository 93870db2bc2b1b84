import {
  AccessDenied,
  CloudFrontClient,
  type Distribution,
  type DistributionSummary,
  GetDistributionCommand,
  ListTagsForResourceCommand,
  NoSuchDistribution,
  paginateListDistributions,
} from '@aws-sdk/client-cloudfront'

import type {AwsClients} from '../aws/clients.js'
import {CLOUDFRONT_REGION} from '../aws/regions.js'
import {classifyAwsError, describeAwsError} from '../aws/errors.js'
import {CONFIG_FILE, type EnvConfig} from '../config.js'
import {EXIT, UserError} from '../errors.js'
import {mapBounded} from '../util/concurrency.js'

/**
 * Finding an environment's CloudFront distribution without configuration, in this order:
 *   1. `cloudfront.distributionId` from allthrive.config.json (GetDistribution proves it exists);
 *   2. when domains are configured (`cloudfrontDomains`, else `domains`; none are guessed): a
 *      distribution whose Aliases include the apex domain (`allthrive.ai`), then one whose
 *      Aliases include any of them exactly (`*.allthrive.ai` counts as itself: production's
 *      wildcard must not claim staging);
 *   3. a distribution tagged `Environment=<env>`;
 *   4. a distribution with an S3 origin on the environment's frontend bucket (`buckets.frontend`);
 *   5. a distribution whose Comment names the environment ("production-allthrive").
 * The first step that finds exactly one wins; several at one step is an error (which one
 * to purge is not ours to guess), none at every step is an error naming what was searched.
 *
 * Shared by `cache clear` and health checks: it needs only {aws, env, signal?, memo?}.
 */

/** CloudFront's API lives in CLOUDFRONT_REGION: no region needs to be configured. */
export const cloudfrontClient = (aws: AwsClients): CloudFrontClient =>
  aws.client(CloudFrontClient, {region: CLOUDFRONT_REGION})

export interface DistributionLookupContext {
  aws: AwsClients
  env: Pick<EnvConfig, 'name' | 'domains' | 'cloudfrontDomains' | 'cloudfront' | 'buckets'>
  signal?: AbortSignal
  /** Run-wide memo (RunContext.memo); without one, the listing is kept per `aws` factory. */
  memo?: <T>(key: string, load: () => Promise<T>) => Promise<T>
}

export interface DistributionFacts {
  id: string
  arn: string
  /** d111111abcdef8.cloudfront.net */
  domainName: string
  /** Alternate domain names (CNAMEs), lower case. */
  aliases: string[]
  comment: string
  status?: string
  enabled?: boolean
  /** The origins' domain names, lower case ("production-allthrive-frontend.s3.us-east-1.amazonaws.com"). */
  origins: string[]
}

export type MatchedBy = 'config' | 'apex-alias' | 'alias' | 'tag' | 'bucket-origin' | 'comment'

export interface FoundDistribution extends DistributionFacts {
  matchedBy: MatchedBy
  /** How it was found, for humans: "alias allthrive.ai". */
  reason: string
}

const host = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '')

function fromDistribution(d: Distribution): DistributionFacts {
  const c = d.DistributionConfig
  return {
    id: d.Id ?? '',
    arn: d.ARN ?? '',
    domainName: d.DomainName ?? '',
    aliases: (c?.Aliases?.Items ?? []).map(host),
    comment: c?.Comment ?? '',
    status: d.Status,
    enabled: c?.Enabled,
    origins: (c?.Origins?.Items ?? []).map((o) => host(o.DomainName ?? '')),
  }
}

function fromSummary(s: DistributionSummary): DistributionFacts {
  return {
    id: s.Id ?? '',
    arn: s.ARN ?? '',
    domainName: s.DomainName ?? '',
    aliases: (s.Aliases?.Items ?? []).map(host),
    comment: s.Comment ?? '',
    status: s.Status,
    enabled: s.Enabled,
    origins: (s.Origins?.Items ?? []).map((o) => host(o.DomainName ?? '')),
  }
}

/**
 * Every distribution of the account, with aliases and comment. AWS's summaries carry
 * both; some emulators (moto) return summaries without them, so a summary that lacks
 * Aliases is completed with GetDistribution (8 at a time).
 */
export function listDistributions(ctx: DistributionLookupContext): Promise<DistributionFacts[]> {
  const load = async (): Promise<DistributionFacts[]> => {
    const client = cloudfrontClient(ctx.aws)
    const summaries: DistributionSummary[] = []
    for await (const page of paginateListDistributions({client}, {}, {abortSignal: ctx.signal})) {
      summaries.push(...(page.DistributionList?.Items ?? []))
    }

    return mapBounded(summaries, 8, async (s) => {
      if (s.Aliases !== undefined || !s.Id) return fromSummary(s)
      const out = await client.send(new GetDistributionCommand({Id: s.Id}), {abortSignal: ctx.signal})
      return out.Distribution ? fromDistribution(out.Distribution) : fromSummary(s)
    })
  }

  if (ctx.memo) return ctx.memo('cloudfront:distributions', load)
  let listing = listings.get(ctx.aws)
  if (!listing) {
    listing = load()
    listings.set(ctx.aws, listing)
    listing.catch(() => listings.delete(ctx.aws))
  }

  return listing
}

/** Without a run-wide memo, one listing per client factory (one per command run). */
const listings = new WeakMap<AwsClients, Promise<DistributionFacts[]>>()

/** The domains the environment's distribution answers for (config `cloudfrontDomains`, else `domains`). */
export function searchDomains(env: DistributionLookupContext['env']): string[] {
  return [...new Set((env.cloudfrontDomains.length > 0 ? env.cloudfrontDomains : env.domains).map(host))]
}

/**
 * The bucket an S3 origin domain names: "b.s3.amazonaws.com", "b.s3.eu-west-1.amazonaws.com",
 * "b.s3-eu-west-1.amazonaws.com"; undefined for any other origin (an ALB, a website endpoint).
 */
export function bucketOfOrigin(domain: string): string | undefined {
  return /^(.+)\.s3(?:[.-](?!website)[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.exec(domain.toLowerCase())?.[1]
}

/** The full record of a distribution (origins, behaviours, viewer certificate), once per run. */
export function getDistribution(
  ctx: Required<Pick<DistributionLookupContext, 'aws' | 'memo'>> & {signal?: AbortSignal},
  id: string,
): Promise<Distribution | undefined> {
  return ctx.memo(`cloudfront:distribution:${id}`, async () => {
    const out = await cloudfrontClient(ctx.aws).send(new GetDistributionCommand({Id: id}), {abortSignal: ctx.signal})
    return out.Distribution
  })
}

/** The environment's apex: its first domain that is not a wildcard ("allthrive.ai"). */
export const apexDomain = (domains: string[]): string | undefined =>
  domains.find((d) => !d.startsWith('*.')) ?? domains[0]?.replace(/^\*\./, '')

/** The Comment names the environment as a word ("production-allthrive", "Production CDN"), not inside another ("non-production"). */
export function commentNames(comment: string, env: string): boolean {
  const escaped = env.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`)
  return new RegExp(`(^|[^a-z0-9-])${escaped}([^a-z0-9]|$)`, 'i').test(comment)
}

export const describeDistribution = (d: DistributionFacts): string =>
  `${d.id} (${d.domainName || 'no domain'}; aliases: ${d.aliases.join(', ') || 'none'}; comment: ${d.comment ? `"${d.comment}"` : 'none'})`

const configHint = (env: string, id = 'E1234567890ABC'): string =>
  `Set it in ${CONFIG_FILE}: {"environments": {"${env}": {"cloudfront": {"distributionId": "${id}"}}}}`

const LIST_COMMAND =
  'aws cloudfront list-distributions --query \'DistributionList.Items[].[Id, DomainName, Comment, join(`", "`, Aliases.Items || `[]`)]\' --output table'

async function byConfiguredId(ctx: DistributionLookupContext, id: string): Promise<FoundDistribution> {
  try {
    const out = await cloudfrontClient(ctx.aws).send(new GetDistributionCommand({Id: id}), {abortSignal: ctx.signal})
    const facts = out.Distribution
      ? fromDistribution(out.Distribution)
      : {id, arn: '', domainName: '', aliases: [], comment: '', origins: []}
    return {...facts, matchedBy: 'config', reason: `cloudfront.distributionId in ${CONFIG_FILE}`}
  } catch (error) {
    if (!(error instanceof NoSuchDistribution)) throw error
    throw new UserError(
      `CloudFront distribution ${id} (cloudfront.distributionId of "${ctx.env.name}" in ${CONFIG_FILE}) does not exist in this account.`,
      {
        exit: EXIT.FAILED,
        code: 'CLOUDFRONT_NOT_FOUND',
        cause: error,
        suggestions: [
          `Find the right id: ${LIST_COMMAND}`,
          `Fix cloudfront.distributionId, or remove it to find the distribution by its aliases (${searchDomains(ctx.env).join(', ')}).`,
        ],
      },
    )
  }
}

/** Distributions tagged Environment=<env>; `denied` when the caller may not read tags. */
async function taggedFor(
  ctx: DistributionLookupContext,
  all: DistributionFacts[],
): Promise<{matches: DistributionFacts[]; denied?: string}> {
  const client = cloudfrontClient(ctx.aws)
  let denied: string | undefined
  const tagged = await mapBounded(all, 8, async (d) => {
    if (!d.arn || denied) return false
    try {
      const out = await client.send(new ListTagsForResourceCommand({Resource: d.arn}), {abortSignal: ctx.signal})
      return (out.Tags?.Items ?? []).some(
        (t) => t.Key === 'Environment' && t.Value?.toLowerCase() === ctx.env.name.toLowerCase(),
      )
    } catch (error) {
      if (!(error instanceof AccessDenied) && classifyAwsError(error) !== 'access-denied') throw error
      denied = describeAwsError(error)
      return false
    }
  })
  return {matches: all.filter((_, i) => tagged[i]), denied}
}

function ambiguous(ctx: DistributionLookupContext, how: string, matches: DistributionFacts[]): UserError {
  return new UserError(
    `${matches.length} CloudFront distributions match "${ctx.env.name}" by ${how}: ${matches.map((d) => describeDistribution(d)).join('; ')}. Which one to use is not guessed.`,
    {
      exit: EXIT.USAGE,
      code: 'CLOUDFRONT_AMBIGUOUS',
      suggestions: [configHint(ctx.env.name, matches[0].id)],
    },
  )
}

/**
 * The environment's distribution (see the order above). Throws a UserError: exit 1 when
 * none is found (naming the domains, tag and comment searched), exit 2 when several are.
 */
export function findDistribution(ctx: DistributionLookupContext): Promise<FoundDistribution> {
  // Once per run however many checks ask (certificates, cloudfront): the tag lookup is a call per distribution.
  return ctx.memo ? ctx.memo(`cloudfront:find:${ctx.env.name}`, () => lookUp(ctx)) : lookUp(ctx)
}

async function lookUp(ctx: DistributionLookupContext): Promise<FoundDistribution> {
  const configured = ctx.env.cloudfront.distributionId
  if (configured) return byConfiguredId(ctx, configured)

  const all = await listDistributions(ctx)
  const domains = searchDomains(ctx.env)
  const apex = apexDomain(domains)
  const steps: {by: MatchedBy; how: string; match: (d: DistributionFacts) => boolean}[] = [
    {by: 'apex-alias', how: `alias ${apex}`, match: (d) => apex !== undefined && d.aliases.includes(apex)},
    {by: 'alias', how: `alias (${domains.join(', ')})`, match: (d) => d.aliases.some((a) => domains.includes(a))},
  ]
  for (const step of steps) {
    const matches = all.filter((d) => step.match(d))
    if (matches.length > 1) throw ambiguous(ctx, step.how, matches)
    if (matches.length === 1) {
      const alias = matches[0].aliases.find((a) => a === apex) ?? matches[0].aliases.find((a) => domains.includes(a))
      return {...matches[0], matchedBy: step.by, reason: `alias ${alias}`}
    }
  }

  const tag = `Environment=${ctx.env.name}`
  const {matches: tagged, denied} = await taggedFor(ctx, all)
  if (tagged.length > 1) throw ambiguous(ctx, `tag ${tag}`, tagged)
  if (tagged.length === 1) return {...tagged[0], matchedBy: 'tag', reason: `tag ${tag}`}

  const bucket = ctx.env.buckets.frontend.toLowerCase()
  const served = all.filter((d) => d.origins.some((o) => bucketOfOrigin(o) === bucket))
  if (served.length > 1) throw ambiguous(ctx, `S3 origin ${bucket}`, served)
  if (served.length === 1) {
    return {...served[0], matchedBy: 'bucket-origin', reason: `S3 origin on the frontend bucket ${bucket}`}
  }

  const commented = all.filter((d) => commentNames(d.comment, ctx.env.name))
  if (commented.length > 1) throw ambiguous(ctx, `comment naming "${ctx.env.name}"`, commented)
  if (commented.length === 1)
    return {...commented[0], matchedBy: 'comment', reason: `comment "${commented[0].comment}"`}

  const tagNote = denied ? `tags could not be read (${denied})` : `none is tagged ${tag}`
  const aliasNote =
    domains.length > 0 ? `none has an alias ${domains.join(' or ')}` : 'no domains are configured to match aliases'
  throw new UserError(
    `No CloudFront distribution found for "${ctx.env.name}" among the account's ${all.length} distribution${all.length === 1 ? '' : 's'}: ` +
      `${aliasNote}, ${tagNote}, none has an S3 origin on ${bucket}, ` +
      `and no comment names "${ctx.env.name}" (such as "${ctx.env.name}-allthrive").`,
    {
      exit: EXIT.FAILED,
      code: 'CLOUDFRONT_NOT_FOUND',
      suggestions: [
        `List them: ${LIST_COMMAND}`,
        configHint(ctx.env.name),
        `Or add the tag ${tag}, the domains in ${CONFIG_FILE}, or "${ctx.env.name}-allthrive" in its comment.`,
      ],
    },
  )
}
