package kubejob

// The few Kubernetes API objects the manifests use, with the fields they
// set and the API's own field names, so that they marshal to YAML that
// kubectl and the API server read. Kept here instead of importing k8s.io/api,
// whose module and its dependencies would be many times loadgate's own.

type meta struct {
	Name      string            `yaml:"name,omitempty"`
	Namespace string            `yaml:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels,omitempty"`
}

type configMap struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   meta              `yaml:"metadata"`
	Data       map[string]string `yaml:"data,omitempty"`
	BinaryData map[string]string `yaml:"binaryData,omitempty"` // base64
}

type persistentVolumeClaim struct {
	APIVersion string    `yaml:"apiVersion"`
	Kind       string    `yaml:"kind"`
	Metadata   meta      `yaml:"metadata"`
	Spec       claimSpec `yaml:"spec"`
}

type claimSpec struct {
	AccessModes      []string       `yaml:"accessModes"`
	StorageClassName string         `yaml:"storageClassName,omitempty"`
	Resources        claimResources `yaml:"resources"`
}

type claimResources struct {
	Requests map[string]string `yaml:"requests"`
}

type job struct {
	APIVersion string  `yaml:"apiVersion"`
	Kind       string  `yaml:"kind"`
	Metadata   meta    `yaml:"metadata"`
	Spec       jobSpec `yaml:"spec"`
}

type jobSpec struct {
	CompletionMode          string            `yaml:"completionMode,omitempty"`
	Completions             *int              `yaml:"completions,omitempty"`
	Parallelism             *int              `yaml:"parallelism,omitempty"`
	BackoffLimit            *int              `yaml:"backoffLimit,omitempty"`
	BackoffLimitPerIndex    *int              `yaml:"backoffLimitPerIndex,omitempty"`
	MaxFailedIndexes        *int              `yaml:"maxFailedIndexes,omitempty"`
	PodFailurePolicy        *podFailurePolicy `yaml:"podFailurePolicy,omitempty"`
	ActiveDeadlineSeconds   int64             `yaml:"activeDeadlineSeconds"`
	TTLSecondsAfterFinished int64             `yaml:"ttlSecondsAfterFinished"`
	Template                podTemplate       `yaml:"template"`
}

type podFailurePolicy struct {
	Rules []podFailurePolicyRule `yaml:"rules"`
}

type podFailurePolicyRule struct {
	Action          string                 `yaml:"action"`
	OnExitCodes     *exitCodesRequirement  `yaml:"onExitCodes,omitempty"`
	OnPodConditions []podConditionsPattern `yaml:"onPodConditions,omitempty"`
}

type exitCodesRequirement struct {
	ContainerName string `yaml:"containerName,omitempty"`
	Operator      string `yaml:"operator"`
	Values        []int  `yaml:"values"`
}

type podConditionsPattern struct {
	Type   string `yaml:"type"`
	Status string `yaml:"status"`
}

type podTemplate struct {
	Metadata meta    `yaml:"metadata"`
	Spec     podSpec `yaml:"spec"`
}

type podSpec struct {
	RestartPolicy                string             `yaml:"restartPolicy"`
	AutomountServiceAccountToken bool               `yaml:"automountServiceAccountToken"`
	SecurityContext              podSecurityContext `yaml:"securityContext"`
	Containers                   []container        `yaml:"containers"`
	Volumes                      []volume           `yaml:"volumes"`
}

type podSecurityContext struct {
	RunAsNonRoot bool  `yaml:"runAsNonRoot"`
	RunAsUser    int64 `yaml:"runAsUser"`
	RunAsGroup   int64 `yaml:"runAsGroup"`
	FSGroup      int64 `yaml:"fsGroup"`
}

type container struct {
	Name                     string        `yaml:"name"`
	Image                    string        `yaml:"image"`
	Args                     []string      `yaml:"args"`
	Env                      []envVar      `yaml:"env,omitempty"`
	VolumeMounts             []volumeMount `yaml:"volumeMounts"`
	TerminationMessagePolicy string        `yaml:"terminationMessagePolicy"`
}

type envVar struct {
	Name      string        `yaml:"name"`
	Value     string        `yaml:"value,omitempty"`
	ValueFrom *envVarSource `yaml:"valueFrom,omitempty"`
}

type envVarSource struct {
	FieldRef *fieldSelector `yaml:"fieldRef,omitempty"`
}

type fieldSelector struct {
	FieldPath string `yaml:"fieldPath"`
}

type volumeMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
	SubPath   string `yaml:"subPath,omitempty"`
	ReadOnly  bool   `yaml:"readOnly,omitempty"`
}

type volume struct {
	Name                  string           `yaml:"name"`
	ConfigMap             *configMapVolume `yaml:"configMap,omitempty"`
	PersistentVolumeClaim *claimVolume     `yaml:"persistentVolumeClaim,omitempty"`
}

type configMapVolume struct {
	Name string `yaml:"name"`
}

type claimVolume struct {
	ClaimName string `yaml:"claimName"`
}
