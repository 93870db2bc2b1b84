import type {
  Distribution,
  DistributionSummary,
  GetDistributionCommandOutput,
  ListDistributionsCommandOutput,
} from '@aws-sdk/client-cloudfront'

/** Typed CloudFront answers: a distribution as ListDistributions summarises it and as GetDistribution details it. */

/** A DistributionSummary as AWS returns it (Aliases and Comment always present). */
export function distributionSummary(
  id: string,
  aliases: string[],
  comment = '',
  overrides: Partial<DistributionSummary> = {},
): DistributionSummary {
  return {
    Id: id,
    ARN: `arn:aws:cloudfront::123456789012:distribution/${id}`,
    Status: 'Deployed',
    LastModifiedTime: new Date('2026-11-01T00:00:00Z'),
    DomainName: `${id.toLowerCase()}.cloudfront.net`,
    Aliases: {Quantity: aliases.length, Items: aliases},
    Origins: {Quantity: 0, Items: []},
    DefaultCacheBehavior: {TargetOriginId: 'o', ViewerProtocolPolicy: 'redirect-to-https'},
    CacheBehaviors: {Quantity: 0},
    CustomErrorResponses: {Quantity: 0},
    Comment: comment,
    PriceClass: 'PriceClass_100',
    Enabled: true,
    ViewerCertificate: {},
    Restrictions: {GeoRestriction: {RestrictionType: 'none', Quantity: 0}},
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    Staging: false,
    ...overrides,
  }
}

/** GetDistribution's answer for the distribution a summary describes. */
export function distributionDetail(s: DistributionSummary): GetDistributionCommandOutput {
  const d: Distribution = {
    Id: s.Id,
    ARN: s.ARN,
    Status: s.Status,
    LastModifiedTime: s.LastModifiedTime,
    InProgressInvalidationBatches: 0,
    DomainName: s.DomainName,
    DistributionConfig: {
      CallerReference: 'ref',
      Aliases: s.Aliases,
      Origins: s.Origins,
      DefaultCacheBehavior: s.DefaultCacheBehavior,
      Comment: s.Comment ?? '',
      Enabled: true,
    },
  }
  return {Distribution: d, ETag: 'etag', $metadata: {}}
}

/** A page of ListDistributions; `next` is the marker of the page after it. */
export const distributionList = (items: DistributionSummary[], next?: string): ListDistributionsCommandOutput => ({
  DistributionList: {
    Items: items,
    Quantity: items.length,
    IsTruncated: Boolean(next),
    NextMarker: next,
    Marker: '',
    MaxItems: 100,
  },
  $metadata: {},
})

/** ListDistributions answers two distributions whose comments both name production, and no configured id. */
export const twoProductionDistributions = (): ListDistributionsCommandOutput =>
  distributionList([
    distributionSummary('EA', [], 'production-allthrive a'),
    distributionSummary('EB', [], 'production-allthrive b'),
  ])
