namespace BgpKit.MetalLb.Kubernetes;

// Stand-in until API access moves onto KubernetesClient (wt-client): replaced by KubernetesApiOptions.CreateClient().
public sealed partial record KubernetesApiOptions
{
    internal k8s.Kubernetes CreateClient() => new(new k8s.KubernetesClientConfiguration
    {
        Host = Server.ToString(),
        AccessToken = Token ?? (TokenFile is null ? null : File.ReadAllText(TokenFile).Trim()),
        SkipTlsVerify = InsecureSkipTlsVerify,
    });
}
