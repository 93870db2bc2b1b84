// The parts of the EC2 client the CLI uses, in a module of their own: `await import('../aws/sdk/ec2.js')` loads the
// (heaviest) EC2 client only where it is needed, and a bundle keeps just these exports of it.
export {EC2Client, paginateDescribeSecurityGroups, paginateDescribeSubnets} from '@aws-sdk/client-ec2'
