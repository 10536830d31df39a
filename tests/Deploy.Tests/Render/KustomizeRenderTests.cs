using BgpKit.TestSupport;

namespace BgpKit.Deploy.Tests.Render;

/// <summary>deploy/bgpkit.yaml is exactly what <c>kubectl kustomize deploy</c> renders, and the cert-manager component applies.</summary>
public class KustomizeRenderTests
{
    [KustomizeFact]
    public async Task The_committed_render_is_what_kustomize_renders()
    {
        var rendered = await Kustomize.RenderAsync(Manifests.DeployDirectory);
        var committed = await File.ReadAllTextAsync(Manifests.RenderPath);
        if (rendered != committed)
        {
            var renderedLines = rendered.Split('\n');
            var committedLines = committed.Split('\n');
            int first = Enumerable.Range(0, Math.Min(renderedLines.Length, committedLines.Length)).FirstOrDefault(i => renderedLines[i] != committedLines[i], Math.Min(renderedLines.Length, committedLines.Length));
            Assert.Fail($"deploy/bgpkit.yaml is stale: run `kubectl kustomize deploy > deploy/bgpkit.yaml`. First difference at line {first + 1}:\n"
                + $"  render:    {renderedLines.ElementAtOrDefault(first)}\n  committed: {committedLines.ElementAtOrDefault(first)}");
        }
    }

    [KustomizeFact]
    public async Task The_cert_manager_component_hands_the_certificate_and_both_caBundles_to_cert_manager()
    {
        // An overlay as a user writes it, outside deploy/ (kustomize refuses an overlay inside its base).
        var overlay = Directory.CreateTempSubdirectory("bgpkit-cert-manager-");
        try
        {
            var deploy = Path.GetRelativePath(overlay.FullName, Manifests.DeployDirectory);
            await File.WriteAllTextAsync(Path.Combine(overlay.FullName, "kustomization.yaml"),
                $"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [{deploy}]\ncomponents: [{deploy}/components/cert-manager]\n");
            var objects = YamlJson.Objects(await Kustomize.RenderAsync(overlay.FullName));

            Assert.DoesNotContain(objects, o => Manifests.Kind(o) == "Secret");
            var certificate = Assert.Single(objects, o => Manifests.Kind(o) == "Certificate");
            Assert.Equal("bgpkit-webhook-cert", certificate["spec"]!["secretName"]!.GetValue<string>());
            Assert.Contains("bgpkit-webhook-service.metallb-system.svc", certificate["spec"]!["dnsNames"]!.AsArray().Select(n => n!.GetValue<string>()));
            foreach (var (kind, name) in new[] { ("ValidatingWebhookConfiguration", "bgpkit-webhook-configuration"), ("CustomResourceDefinition", "bgppeers.metallb.io") })
            {
                var o = Assert.Single(objects, o => Manifests.Kind(o) == kind && Manifests.Name(o) == name);
                Assert.Equal("metallb-system/bgpkit-webhook-cert", o["metadata"]!["annotations"]?["cert-manager.io/inject-ca-from"]?.GetValue<string>());
            }
            var args = objects.Single(o => Manifests.Kind(o) == "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray();
            Assert.Contains("--cert-manager", args.Select(a => a!.GetValue<string>()));
        }
        finally
        {
            overlay.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_default_render_has_no_cert_manager_object()
    {
        Assert.DoesNotContain(Manifests.Rendered, o => o["apiVersion"]!.GetValue<string>().StartsWith("cert-manager.io/", StringComparison.Ordinal));
        Assert.DoesNotContain(Manifests.Rendered, o => o["metadata"]!["annotations"]?["cert-manager.io/inject-ca-from"] is not null);
    }

    [Fact]
    public void Every_namespaced_object_is_in_metallb_system_and_every_object_says_it_is_part_of_bgpkit()
    {
        var clusterScoped = new[] { "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration" };
        foreach (var o in Manifests.Rendered)
        {
            var ns = o["metadata"]!["namespace"]?.GetValue<string>();
            Assert.True(clusterScoped.Contains(Manifests.Kind(o)) ? ns is null : ns == "metallb-system", $"{Manifests.Kind(o)}/{Manifests.Name(o)} in {ns}");
            Assert.Equal("bgpkit", o["metadata"]!["labels"]?["app.kubernetes.io/part-of"]?.GetValue<string>());
        }
    }
}
