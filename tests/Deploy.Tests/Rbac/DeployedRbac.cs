using BgpKit.TestSupport;

namespace BgpKit.Deploy.Tests.Rbac;

/// <summary>The RBAC of deploy/bgpkit.yaml and the two service accounts' users.</summary>
public static class DeployedRbac
{
    public const string Namespace = "metallb-system";
    public const string Controller = "system:serviceaccount:metallb-system:bgpkit-controller";
    public const string Speaker = "system:serviceaccount:metallb-system:bgpkit-speaker";

    public static RbacAuthorizer Authorizer { get; } = new(Manifests.Rendered);

    public static readonly string[] ConfigurationKinds = ["ipaddresspools", "bgppeers", "bgpadvertisements", "l2advertisements", "communities", "bfdprofiles"];
}
