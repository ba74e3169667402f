package verify

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/magento"
)

// auditStabilities are the minimum-stability settings checked for the audit plugin: stable projects, and
// projects that allow betas (Magento's own pre-releases).
var auditStabilities = []string{"stable", "beta"}

// checkAudit reports the packages that would make magento/composer-dependency-version-audit-plugin abort an
// install from this repository (docs/audit-plugin.md): for a name this repository serves and the public
// repository (packagist.org, or an offline copy of its p2 files) also has, the public repository offers a
// higher version at a stability a project may use. Only the public p2 files of this repository's own names
// are read, so a full Packagist mirror is never needed.
func checkAudit(ctx context.Context, r *repository, public Source, jobs int) ([]Problem, error) {
	pub := &repository{src: public, maxMetadata: r.maxMetadata}
	if err := pub.loadRoot(ctx); err != nil {
		return nil, fmt.Errorf("verify: audit against %s: %w", public, unprefixed(err))
	}
	mirror := map[string][]string{}
	var names []string
	for _, p := range r.packages {
		if magento.AuditPluginExempt(p.name) {
			continue
		}
		names = append(names, p.name)
		for _, e := range p.entries {
			mirror[p.name] = append(mirror[p.name], e.version)
		}
	}
	versions := make([][]string, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for i, name := range names {
		g.Go(func() error {
			entries, _ := pub.loadFile(gctx, name, name) // absent on the public side: nothing to compare
			for _, obj := range entries {
				if e, _ := parseEntry(obj, name); e != nil {
					versions[i] = append(versions[i], e.version)
				}
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	public2 := map[string][]string{}
	for i, name := range names {
		if len(versions[i]) > 0 {
			public2[name] = versions[i]
		}
	}
	var probs []Problem
	for _, a := range magento.CheckAuditPlugin(mirror, public2, auditStabilities) {
		probs = append(probs, Problem{Package: a.Package, Version: a.Mirror, Message: fmt.Sprintf(
			"the audit plugin would abort installs with minimum-stability %s: %s offers %s, newer than this repository's highest %s",
			a.Stability, public, a.Public, a.Mirror)})
	}
	return probs, nil
}
