using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes;

public sealed partial record KubernetesApiOptions
{
    /// <summary>
    /// The server and credentials of a kubeconfig context, found as kubectl finds them: the file
    /// <paramref name="path"/>; else the files listed in <c>KUBECONFIG</c> (merged: for each cluster,
    /// user and context name, and for <c>current-context</c>, the first file that sets it wins);
    /// else <c>~/.kube/config</c>. KubernetesClient reads the context <paramref name="context"/>, or
    /// the <c>current-context</c>: the cluster's <c>server</c>, <c>certificate-authority[-data]</c>,
    /// <c>insecure-skip-tls-verify</c> and <c>tls-server-name</c>; the user's <c>token</c>,
    /// <c>client-certificate[-data]</c>/<c>client-key[-data]</c>, <c>username</c>/<c>password</c>,
    /// <c>exec</c> credential plugin (run now, and again when its credential expires) or <c>oidc</c>
    /// auth-provider. Relative paths are relative to the file that holds the entry. The context's
    /// <c>namespace</c> is not MetalLB's namespace, so <see cref="Namespace"/> stays <c>metallb-system</c>.
    /// </summary>
    /// <param name="path">The kubeconfig file; null to look in <c>KUBECONFIG</c> and then <c>~/.kube/config</c>.</param>
    /// <param name="context">The context to use; null for the file's <c>current-context</c>.</param>
    /// <exception cref="InvalidOperationException">
    /// No kubeconfig was found, it is not valid YAML, the context, its cluster or its user is missing or
    /// malformed, a file it names cannot be read, or the exec plugin is missing or fails. The message is
    /// one line that names the file, the entry and the field; it never holds a token, a key or plugin output.
    /// </exception>
    public static KubernetesApiOptions FromKubeconfig(string? path = null, string? context = null) =>
        KubeconfigContext.Load(path, context, Environment.GetEnvironmentVariable);
}
