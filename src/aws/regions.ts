import {closest, UserError} from '../errors.js'

/** Commercial, GovCloud and China regions, for catching typos before any call is made. */
export const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
] as const

const REGION_SHAPE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/

/**
 * Rejects a region that is not a well-formed AWS region name, with the closest valid name.
 * Well-formed names that are not in the list above are accepted (AWS opens new regions).
 */
export function assertValidRegion(region: string, origin: string): void {
  if ((AWS_REGIONS as readonly string[]).includes(region)) return
  // A new region of a known geography (ap-southeast-8) is accepted; a misspelt geography (us-est-1) is not.
  const geography = (r: string) => r.replace(/-\d{1,2}$/, '')
  const known = new Set(AWS_REGIONS.map((r) => geography(r)))
  if (REGION_SHAPE.test(region) && (known.has(geography(region)) || !closest(geography(region), [...known]))) return
  const guess = closest(region, AWS_REGIONS)
  throw new UserError(`"${region}" (from ${origin}) is not an AWS region.`, {
    code: 'INVALID_REGION',
    suggestions: [
      guess ? `Did you mean --region ${guess}?` : 'Use a region code such as us-east-1 or eu-west-1.',
      'List regions with: aws ec2 describe-regions --query "Regions[].RegionName"',
    ],
  })
}

/** CloudFront is a global service: its API, and the ACM certificates it accepts, live in us-east-1. */
export const CLOUDFRONT_REGION = 'us-east-1'
